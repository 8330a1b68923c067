package conformance

// The checkers themselves, fed frames and lines that break one rule each, so
// a passing conformance run means the rules were actually tested. These need
// no plugin executable.

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
)

var checkerEpoch = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func minutes(n ...int) []time.Time {
	times := make([]time.Time, len(n))
	for i, m := range n {
		times[i] = checkerEpoch.Add(time.Duration(m) * time.Minute)
	}
	return times
}

func multiFrame(sensor string, times []time.Time) *data.Frame {
	counts := make([]float64, len(times))
	return data.NewFrame("",
		data.NewField("time", nil, times),
		data.NewField("anomaly_count", data.Labels{"sensor": sensor}, counts),
	).SetMeta(&data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}})
}

func TestCheckerArrowContainer(t *testing.T) {
	valid, err := multiFrame("s1", minutes(0, 1)).MarshalArrow()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkArrowContainer(valid); err != nil {
		t.Errorf("the SDK's own encoding rejected: %v", err)
	}
	streamFormat := append([]byte{0xff, 0xff, 0xff, 0xff}, valid[8:]...)
	if checkArrowContainer(streamFormat) == nil {
		t.Errorf("Arrow stream format accepted")
	}
}

func TestCheckerTimeSeriesRows(t *testing.T) {
	window := backend.TimeRange{From: checkerEpoch, To: checkerEpoch.Add(time.Hour)}
	cases := []struct {
		name    string
		frame   *data.Frame
		invalid bool
	}{
		{"valid", multiFrame("s1", minutes(0, 30, 60)), false},
		{"descending", multiFrame("s1", minutes(2, 1)), true},
		{"before range", multiFrame("s1", minutes(-1, 1)), true},
		{"after range", multiFrame("s1", minutes(1, 61)), true},
		{"no rows", multiFrame("s1", minutes()), true},
		{"null time", data.NewFrame("", data.NewField("time", nil, []*time.Time{nil}), data.NewField("v", nil, []float64{1})), true},
		{"no time field", data.NewFrame("", data.NewField("v", nil, []float64{1})), true},
	}
	for _, c := range cases {
		problems := checkTimeSeriesRows(c.frame, &window)
		if (len(problems) > 0) != c.invalid {
			t.Errorf("%s: problems %q, want invalid=%v", c.name, problems, c.invalid)
		}
	}
}

func TestCheckerTimeUnits(t *testing.T) {
	msReadAsNs := time.Unix(0, checkerEpoch.UnixMilli())
	if problems := checkTimeUnits(multiFrame("s1", []time.Time{msReadAsNs})); len(problems) == 0 {
		t.Errorf("a millisecond timestamp decoded as nanoseconds (%s) was accepted", msReadAsNs)
	}
	if problems := checkTimeUnits(multiFrame("s1", minutes(0))); len(problems) > 0 {
		t.Errorf("valid time rejected: %q", problems)
	}
}

func TestCheckerTimeSeriesMulti(t *testing.T) {
	untyped := multiFrame("s2", minutes(0))
	untyped.Meta = nil
	noData := data.NewFrame("").SetMeta(&data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}})
	versionless := multiFrame("s1", minutes(0))
	versionless.Meta.TypeVersion = data.FrameTypeVersion{}
	boolOnly := data.NewFrame("", data.NewField("time", nil, minutes(0)), data.NewField("flag", nil, []bool{true})).
		SetMeta(&data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}})
	cases := []struct {
		name    string
		frames  data.Frames
		invalid bool
	}{
		{"two series", data.Frames{multiFrame("s1", minutes(0, 1)), multiFrame("s2", minutes(0))}, false},
		{"typed no-data", data.Frames{noData}, false},
		{"duplicate series", data.Frames{multiFrame("s1", minutes(0)), multiFrame("s1", minutes(1))}, true},
		{"duplicate timestamps", data.Frames{multiFrame("s1", minutes(0, 0))}, true},
		{"frame without type", data.Frames{multiFrame("s1", minutes(0)), untyped}, true},
		{"zero type version", data.Frames{versionless}, true},
		{"no-data beside data", data.Frames{multiFrame("s1", minutes(0)), noData}, true},
		{"no numeric value", data.Frames{boolOnly}, true},
		{"no frames", data.Frames{}, true},
	}
	for _, c := range cases {
		problems := checkTimeSeriesMulti(c.frames)
		if (len(problems) > 0) != c.invalid {
			t.Errorf("%s: problems %q, want invalid=%v", c.name, problems, c.invalid)
		}
	}
}

func TestCheckerFrameSpec(t *testing.T) {
	spec := sensorReadingsFrame("s1")
	value := func(v float64) []*float64 { return []*float64{&v} }
	good := data.NewFrame("s1",
		data.NewField("time", nil, minutes(0)),
		data.NewField("temperature", seriesLabels("s1", "temperature"), value(20)),
		data.NewField("anomaly", seriesLabels("s1", "anomaly"), value(0)),
		data.NewField("anomaly_score", seriesLabels("s1", "anomaly_score"), value(0.4)),
		data.NewField("explanation", seriesLabels("s1", "explanation"), value(0)),
	)
	if problems := checkFrameSpec(good, spec); len(problems) > 0 {
		t.Errorf("matching frame rejected: %q", problems)
	}
	wrongLabels := good.EmptyCopy()
	wrongLabels.Fields[1].Labels = data.Labels{"sensor": "s2"}
	nullableTime := data.NewFrame("s1",
		data.NewField("time", nil, []*time.Time{&minutes(0)[0]}),
		good.Fields[1], good.Fields[2], good.Fields[3], good.Fields[4])
	missingField := data.NewFrame("s1", good.Fields[0], good.Fields[1], good.Fields[2], good.Fields[3])
	booleanFlag := data.NewFrame("s1", good.Fields[0], good.Fields[1],
		data.NewField("anomaly", seriesLabels("s1", "anomaly"), []bool{false}), good.Fields[3], good.Fields[4])
	cases := map[string]*data.Frame{
		"wrong labels": wrongLabels, "nullable time": nullableTime, "missing field": missingField, "boolean flag (long frame)": booleanFlag,
	}
	for name, f := range cases {
		if len(checkFrameSpec(f, spec)) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
	channel := frameSpec{Channel: "ds/x/selftest"}
	if len(checkFrameSpec(data.NewFrame(""), channel)) == 0 {
		t.Errorf("frame without meta.channel accepted")
	}
}

func TestCheckerLogLine(t *testing.T) {
	cases := map[string]bool{
		`{"@level":"info","@message":"listening","@timestamp":"2026-11-24T21:37:18.410750Z","port":1}`: true,
		`{"@level":"warn","@message":"no timestamp is fine"}`:                                          true,
		`{"@level":"info","@message":"js date","@timestamp":"2026-11-24T21:37:18.410Z"}`:               false,
		`{"@level":"info","@message":42}`:                                                              false,
		`{"@level":"loud","@message":"unknown level"}`:                                                 false,
		`{"@message":"no level"}`:                                                                      false,
		`plain text`:                                                                                   false,
		`null`:                                                                                         false,
	}
	for line, valid := range cases {
		if err := checkLogLine([]byte(line)); (err == nil) != valid {
			t.Errorf("%s: err %v, want valid=%v", line, err, valid)
		}
	}
}

func TestCheckerQueryDataRequestCount(t *testing.T) {
	counter := func(name string, value float64, labels ...string) *dto.MetricFamily {
		m := &dto.Metric{Counter: &dto.Counter{Value: proto.Float64(value)}}
		for i := 0; i+1 < len(labels); i += 2 {
			m.Label = append(m.Label, &dto.LabelPair{Name: proto.String(labels[i]), Value: proto.String(labels[i+1])})
		}
		return &dto.MetricFamily{Name: proto.String(name), Type: dto.MetricType_COUNTER.Enum(), Metric: []*dto.Metric{m}}
	}
	families := map[string]*dto.MetricFamily{
		"iotlab_anomaly_grpc_requests_total":   counter("iotlab_anomaly_grpc_requests_total", 2, "method", "QueryData", "code", "OK"),
		"iotlab_anomaly_query_data_requests":   counter("iotlab_anomaly_query_data_requests", 3),
		"iotlab_anomaly_errors_total":          counter("iotlab_anomaly_errors_total", 100, "method", "QueryData"),
		"other_requests_total":                 counter("other_requests_total", 100, "method", "QueryData"),
		"iotlab_anomaly_health_requests_total": counter("iotlab_anomaly_health_requests_total", 100, "method", "CheckHealth"),
	}
	total, sources := queryDataRequestCount(families)
	if total != 5 || len(sources) != 2 {
		t.Errorf("total %v from %q, want 5 from the two QueryData request counters", total, sources)
	}
}
