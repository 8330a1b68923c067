package conformance

// The contract the backend must honour, as data: change it here when the data
// source evolves; the checks in the *_test.go files read only these values.

import (
	"encoding/json"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

const (
	pluginID       = "iotlab-anomaly-datasource"
	datasourceUID  = "conformance"
	datasourceName = "IoT lab anomalies (conformance)"
	// secretKey is sent as decrypted secure JSON data; it must never come back
	// in a response, a health message or the plugin's logs.
	secretKey = "conformance-secret-value"

	// metricPrefix starts every metric the plugin itself defines.
	metricPrefix = "iotlab_anomaly_"
)

// datasourceSettings is one saved state of the data source. Grafana sends a
// new lastUpdatedMS whenever the settings are saved, which is what tells a
// plugin to drop its cached instance, so each state has its own time.
type datasourceSettings struct {
	JSONData string
	Updated  time.Time
}

var (
	secureJSONData = map[string]string{"accessKey": "AKIDEXAMPLE", "secretKey": secretKey}

	// validSettings point at the shared test services when they run (services_test.go).
	validSettings = datasourceSettings{
		JSONData: validJSONData(),
		Updated:  time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC),
	}
	// missingTableSettings lacks the required table; health must say so.
	missingTableSettings = datasourceSettings{
		JSONData: `{}`,
		Updated:  validSettings.Updated.Add(time.Minute),
	}
	missingTableWord = "table"
)

func validJSONData() string {
	if services == nil {
		return `{"table":"lab_sensmitter","defaultRegion":"us-east-1"}`
	}
	return services.settingsJSON(nil)
}

func pluginContext(s datasourceSettings) backend.PluginContext {
	return backend.PluginContext{
		OrgID:    1,
		PluginID: pluginID,
		User:     &backend.User{Login: "admin", Name: "Admin", Role: "Admin"},
		DataSourceInstanceSettings: &backend.DataSourceInstanceSettings{
			ID:                      1,
			UID:                     datasourceUID,
			Type:                    pluginID,
			Name:                    datasourceName,
			JSONData:                json.RawMessage(s.JSONData),
			DecryptedSecureJSONData: secureJSONData,
			Updated:                 s.Updated,
		},
	}
}

// fieldSpec is one expected field; Labels == nil means "not checked".
type fieldSpec struct {
	Name   string
	Type   data.FieldType
	Labels data.Labels
}

// frameSpec is one expected frame; zero-valued parts are not checked.
type frameSpec struct {
	Name        string
	Fields      []fieldSpec
	Type        data.FrameType
	TypeVersion data.FrameTypeVersion
	Channel     string
	// ChannelPrefix: meta.channel must start with it (the path after it is the data source's to choose).
	ChannelPrefix string
	// SchemaType is the TimeSeriesSchema() Grafana's server-side expressions see.
	SchemaType *data.TimeSeriesType
}

// queryCase is one query of the conformance request and what must come back.
type queryCase struct {
	RefID string
	JSON  string

	Status      backend.Status
	ErrorNames  string              // non-empty: the refId must fail with an error containing this
	ErrorSource backend.ErrorSource // checked when ErrorNames is set and this is non-empty

	// Frames are matched by name (each expected name exactly once); without
	// names, by position. nil means "not checked" (error cases).
	Frames []frameSpec
	// TimeSeries: every frame's fields have equal length > 0 and its first
	// time field is non-null and ascending.
	TimeSeries bool
	// InRange: every time of the first time field lies inside the query's time range.
	InRange bool
	// Dataplane: the frames must form a valid dataplane collection, as read by alerting.
	Dataplane bool
	// NeedsData: the case reads the seeded emulators; without them it is left out (and said so).
	NeedsData bool
}

// queryRange is "the last hour", as a dashboard sends it.
func queryRange(now time.Time) backend.TimeRange {
	return backend.TimeRange{From: now.Add(-time.Hour), To: now}
}

// queryNow is the seeded data's "now" when the test services run, else the wall clock.
func queryNow() time.Time {
	if services != nil {
		return services.Now
	}
	return timeNowMillis()
}

const queryMaxDataPoints = 500

var wide = data.TimeSeriesTypeWide

// seriesLabels are the labels every numeric field carries: sensor + what the series is.
func seriesLabels(sensor, series string) data.Labels {
	return data.Labels{"sensor": sensor, "series": series}
}

// sensorReadingsFrame is the wide `anomalies` frame of src/common/frames.ts:
// numbers only (the flag 0/1, the explanation a code), null where a reading was not scored.
func sensorReadingsFrame(sensor string) frameSpec {
	return frameSpec{
		Name: sensor,
		Fields: []fieldSpec{
			{Name: "time", Type: data.FieldTypeTime},
			{Name: "temperature", Type: data.FieldTypeNullableFloat64, Labels: seriesLabels(sensor, "temperature")},
			{Name: "anomaly", Type: data.FieldTypeNullableFloat64, Labels: seriesLabels(sensor, "anomaly")},
			{Name: "anomaly_score", Type: data.FieldTypeNullableFloat64, Labels: seriesLabels(sensor, "anomaly_score")},
			{Name: "explanation", Type: data.FieldTypeNullableFloat64, Labels: seriesLabels(sensor, "explanation")},
		},
		SchemaType: &wide,
	}
}

// countFrame is the `anomaly_count` frame: timeseries-multi 0.1, one series per sensor.
func countFrame(sensor string) frameSpec {
	return frameSpec{
		Name:        sensor,
		Type:        data.FrameTypeTimeSeriesMulti,
		TypeVersion: data.FrameTypeVersion{0, 1},
		Fields: []fieldSpec{
			{Name: "time", Type: data.FieldTypeTime},
			{Name: "anomaly_count", Type: data.FieldTypeFloat64, Labels: seriesLabels(sensor, "anomaly_count")},
		},
		SchemaType: &wide,
	}
}

// allQueryCases is sent as ONE QueryData request, so a bad query must not spoil the others.
var allQueryCases = []queryCase{
	{
		RefID:      "A",
		JSON:       `{"queryType":"anomalies","model":"isolation_forest","contamination":0.05,"metric":"temperature","sensors":["sensmitter_1","sensmitter_2"]}`,
		Status:     backend.StatusOK,
		Frames:     []frameSpec{sensorReadingsFrame("sensmitter_1"), sensorReadingsFrame("sensmitter_2")},
		TimeSeries: true,
		InRange:    true,
		NeedsData:  true,
	},
	{
		RefID:       "B",
		JSON:        `{"model":"svm"}`,
		Status:      backend.StatusBadRequest,
		ErrorNames:  "model",
		ErrorSource: backend.ErrorSourcePlugin,
	},
	{
		RefID:       "C",
		JSON:        `{"contamination":"lots"}`,
		Status:      backend.StatusBadRequest,
		ErrorNames:  "contamination",
		ErrorSource: backend.ErrorSourcePlugin,
	},
	{
		RefID:      "D",
		JSON:       `{"queryType":"anomaly_count","sensors":["sensmitter_1"]}`,
		Status:     backend.StatusOK,
		Frames:     []frameSpec{countFrame("sensmitter_1")},
		TimeSeries: true,
		Dataplane:  true,
		NeedsData:  true,
	},
	{
		// A live query answers the range and names each sensor's Live channel (ds/<uid>/<path>).
		RefID:      "E",
		JSON:       `{"queryType":"anomalies","live":true,"sensors":["sensmitter_1"]}`,
		Status:     backend.StatusOK,
		Frames:     []frameSpec{liveFrame("sensmitter_1")},
		TimeSeries: true,
		InRange:    true,
		NeedsData:  true,
	},
	{
		RefID:      "F",
		JSON:       `{"queryType":"anomalies","model":"dbscan","featureSet":"raw","contamination":0.02,"metric":"humidity","sensors":["sensmitter_3"]}`,
		Status:     backend.StatusOK,
		Frames:     []frameSpec{dbscanFrame("sensmitter_3")},
		TimeSeries: true,
		InRange:    true,
		NeedsData:  true,
	},
}

func liveFrame(sensor string) frameSpec {
	f := sensorReadingsFrame(sensor)
	f.ChannelPrefix = "ds/" + datasourceUID + "/"
	return f
}

func dbscanFrame(sensor string) frameSpec {
	f := sensorReadingsFrame(sensor)
	f.Fields[1] = fieldSpec{Name: "humidity", Type: data.FieldTypeNullableFloat64, Labels: seriesLabels(sensor, "humidity")}
	return f
}

// queryCases are the cases this run can check: without the test services, those that need data are left out.
var queryCases = func() []queryCase {
	var cases []queryCase
	for _, c := range allQueryCases {
		if c.NeedsData && services == nil {
			continue
		}
		cases = append(cases, c)
	}
	return cases
}()

// Resources (CallResource).
type resourceCase struct {
	Method, Path string
	Code         int
	// JSONPaths must exist in the JSON body; a non-nil value must also match.
	JSONPaths map[string]any
}

var resourceCases = []resourceCase{
	{Method: "GET", Path: "defaults", Code: 200, JSONPaths: map[string]any{"query.model": "isolation_forest", "limits": nil}},
	{Method: "GET", Path: unknownResourcePath, Code: 404},
}

const unknownResourcePath = "nope"

// Streams (Grafana Live).
const (
	selftestStreamPath = "selftest"
	unknownStreamPath  = "nope"
	// minStreamPackets is how many packets RunStream must deliver before we cancel.
	minStreamPackets = 3
)
