package conformance

// Adversarial queries and data through Grafana's client, beyond robustness_test.go:
// every parameter at and past its limits, odd time ranges, and DynamoDB items
// the simulator never writes. Bad input is a 400 naming the field and what is
// allowed; odd data is shown, counted and explained in notices, never a crash
// or a silent wrong answer.

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

// adversarialCase is one refId: its query model, an optional range in seconds
// relative to the seeded "now", and what must come back.
type adversarialCase struct {
	RefID string
	JSON  string
	// FromS/ToS: the range relative to the seeded now, when Custom is set (else the last hour).
	FromS, ToS int64
	Custom     bool
	IntervalMS int64
	// Refused: a 400 from the plugin naming every one of these.
	Refused []string
	// Notice: a 200 whose frames carry a notice containing this.
	Notice string
	// MaxRows bounds the rows of every frame (0 = not checked).
	MaxRows int
}

// runAdversarial sends every case in ONE request (so a bad refId must not
// spoil the others) and returns the decoded answers.
func runAdversarial(t *testing.T, p *pluginProcess, settings datasourceSettings, now time.Time, cases []adversarialCase) *backend.QueryDataResponse {
	t.Helper()
	req := &backend.QueryDataRequest{PluginContext: pluginContext(settings)}
	for _, c := range cases {
		req.Queries = append(req.Queries, backend.DataQuery{
			RefID: c.RefID, MaxDataPoints: 500, Interval: time.Minute,
			TimeRange: backend.TimeRange{From: now.Add(-time.Hour), To: now},
			JSON:      []byte(c.JSON),
		})
	}
	raw := backend.ToProto().QueryDataRequest(req)
	for i, c := range cases {
		if c.Custom {
			raw.Queries[i].TimeRange = &pluginv2.TimeRange{
				FromEpochMS: now.UnixMilli() + c.FromS*1000,
				ToEpochMS:   now.UnixMilli() + c.ToS*1000,
			}
			raw.Queries[i].IntervalMS = c.IntervalMS
		}
	}
	started := time.Now()
	answer, err := p.Data.QueryData(rpcContext(t), raw)
	if err != nil {
		t.Fatalf("QueryData returned a gRPC error (Grafana fails every query of the request): %v", err)
	}
	t.Logf("%d adversarial queries answered in %d ms", len(cases), time.Since(started).Milliseconds())
	return decodeQueryData(t, answer)
}

func checkAdversarial(t *testing.T, res *backend.QueryDataResponse, cases []adversarialCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.RefID, func(t *testing.T) {
			dr, ok := res.Responses[c.RefID]
			if !ok {
				t.Fatalf("refId %q missing from the response", c.RefID)
			}
			if c.Refused != nil {
				checkRefused(t, dr, c.Refused)
				return
			}
			if dr.Error != nil || dr.Status != backend.StatusOK {
				t.Fatalf("status %d, error %v; want 200", dr.Status, dr.Error)
			}
			if len(dr.Frames) == 0 {
				t.Fatalf("no frames: Grafana shows \"No data\" without saying why")
			}
			for _, f := range dr.Frames {
				rows, _ := f.RowLen()
				if c.MaxRows > 0 && rows > c.MaxRows {
					t.Errorf("frame %q: %d rows, want at most %d", f.Name, rows, c.MaxRows)
				}
				checkScoredColumns(t, f)
			}
			if c.Notice != "" && !framesSay(dr.Frames, c.Notice) {
				t.Errorf("no frame notice says %q; notices: %q", c.Notice, noticesOf(dr.Frames))
			}
		})
	}
}

// checkScoredColumns: a wide frame whose flags are 0/1 (or null: unscored) and whose scores and values are finite.
func checkScoredColumns(t *testing.T, f *data.Frame) {
	t.Helper()
	if len(f.Fields) == 0 {
		return // the data plane's typed "no data" frame
	}
	if got := f.TimeSeriesSchema().Type; got != data.TimeSeriesTypeWide {
		t.Errorf("frame %q: TimeSeriesSchema %s, want wide", f.Name, got)
	}
	for _, field := range f.Fields[1:] {
		values, ok := nullableFloats(field)
		for i, v := range values {
			if !ok[i] {
				continue
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("frame %q field %q row %d: %v", f.Name, field.Name, i, v)
			}
			if field.Name == "anomaly" && v != 0 && v != 1 {
				t.Errorf("frame %q row %d: anomaly %v, want 0 or 1", f.Name, i, v)
			}
		}
	}
}

func noticesOf(frames data.Frames) []string {
	var texts []string
	for _, f := range frames {
		if f.Meta != nil {
			for _, n := range f.Meta.Notices {
				texts = append(texts, f.Name+": "+n.Text)
			}
		}
	}
	return texts
}

func framesSay(frames data.Frames, text string) bool {
	for _, n := range noticesOf(frames) {
		if strings.Contains(n, text) {
			return true
		}
	}
	return false
}

// TestAdversarialParameters: every numeric parameter just inside and just
// outside its limits, wrong JSON types and unknown fields, in one request
// with valid queries beside them.
func TestAdversarialParameters(t *testing.T) {
	s := requireServices(t)
	p := launch(t)
	one := `"sensors":["sensmitter_1"],"model":"dbscan"`
	long := strings.Repeat("s", 129)
	contamination := []string{"contamination", `(0, 0.5]`}
	cases := []adversarialCase{
		{RefID: "contamination at 0.5", JSON: `{` + one + `,"contamination":0.5}`},
		{RefID: "contamination 0", JSON: `{` + one + `,"contamination":0}`, Refused: contamination},
		{RefID: "contamination 0.5000001", JSON: `{` + one + `,"contamination":0.5000001}`, Refused: contamination},
		{RefID: "contamination negative", JSON: `{` + one + `,"contamination":-0.1}`, Refused: contamination},
		{RefID: "contamination NaN text", JSON: `{` + one + `,"contamination":"NaN"}`, Refused: contamination},
		{RefID: "contamination 1e308", JSON: `{` + one + `,"contamination":1e308}`, Refused: contamination},
		{RefID: "contamination auto for dbscan", JSON: `{` + one + `,"contamination":"auto"}`, Refused: contamination},
		{RefID: "nEstimators 0", JSON: `{"isolationForest":{"nEstimators":0}}`, Refused: []string{"isolationForest.nEstimators", "1 to 1000"}},
		{RefID: "nEstimators 1001", JSON: `{"isolationForest":{"nEstimators":1001}}`, Refused: []string{"isolationForest.nEstimators", "1 to 1000"}},
		{RefID: "nEstimators 10.5", JSON: `{"isolationForest":{"nEstimators":10.5}}`, Refused: []string{"isolationForest.nEstimators", "an integer"}},
		{RefID: "nEstimators text", JSON: `{"isolationForest":{"nEstimators":"100"}}`, Refused: []string{"isolationForest.nEstimators"}},
		{RefID: "maxSamples 0", JSON: `{"isolationForest":{"maxSamples":0}}`, Refused: []string{"isolationForest.maxSamples", "(0, 1]"}},
		{RefID: "maxSamples 1.5", JSON: `{"isolationForest":{"maxSamples":1.5}}`, Refused: []string{"isolationForest.maxSamples", "integer ≥ 2"}},
		{RefID: "maxFeatures 1000", JSON: `{"isolationForest":{"maxFeatures":1000}}`, Refused: []string{"isolationForest.maxFeatures", "from 2 to 20"}},
		{RefID: "eps 0", JSON: `{` + one + `,"dbscan":{"eps":0}}`, Refused: []string{"dbscan.eps", "(0, 1000]"}},
		{RefID: "eps 1000.1", JSON: `{` + one + `,"dbscan":{"eps":1000.1}}`, Refused: []string{"dbscan.eps", "(0, 1000]"}},
		{RefID: "minSamples 0", JSON: `{` + one + `,"dbscan":{"minSamples":0}}`, Refused: []string{"dbscan.minSamples", "1 to 10000"}},
		{RefID: "minSamples 10001", JSON: `{` + one + `,"dbscan":{"minSamples":10001}}`, Refused: []string{"dbscan.minSamples", "1 to 10000"}},
		{RefID: "minSamples 10000", JSON: `{` + one + `,"dbscan":{"minSamples":10000}}`, Notice: "DBSCAN needs more than 10000 scorable readings"},
		{RefID: "trainingWindow 5x", JSON: `{"isolationForest":{"training":"window","trainingWindow":"5x"}}`, Refused: []string{"isolationForest.trainingWindow", "1h to 90d"}},
		{RefID: "trainingWindow -1h", JSON: `{"isolationForest":{"training":"window","trainingWindow":"-1h"}}`, Refused: []string{"isolationForest.trainingWindow", "1h to 90d"}},
		{RefID: "trainingWindow 0s", JSON: `{"isolationForest":{"training":"window","trainingWindow":"0s"}}`, Refused: []string{"isolationForest.trainingWindow", "1h to 90d"}},
		{RefID: "trainingWindow huge", JSON: `{"isolationForest":{"training":"window","trainingWindow":"99999999999999999999d"}}`, Refused: []string{"isolationForest.trainingWindow", "1h to 90d"}},
		{RefID: "countInterval 5x", JSON: `{"queryType":"anomaly_count","countInterval":"5x"}`, Refused: []string{"countInterval", "1s to 1d"}},
		{RefID: "countInterval number", JSON: `{"queryType":"anomaly_count","countInterval":300}`, Refused: []string{"countInterval", "1s to 1d"}},
		{RefID: "metrics empty", JSON: `{"metrics":[]}`, Refused: []string{"metrics", "non-empty list"}},
		{RefID: "metrics unknown", JSON: `{"metrics":["co2"]}`, Refused: []string{"metrics", `"co2"`, `"light_level"`}},
		{RefID: "metrics object", JSON: `{"metrics":{"temperature":1}}`, Refused: []string{"metrics", "list"}},
		{RefID: "metrics duplicated", JSON: `{` + one + `,"metrics":["humidity","humidity"]}`},
		{RefID: "sensor empty", JSON: `{"sensors":[""]}`, Refused: []string{"sensors", "1 to 128"}},
		{RefID: "sensor 129 chars", JSON: `{"sensors":["` + long + `"]}`, Refused: []string{"sensors", "1 to 128"}},
		{RefID: "sensor unicode", JSON: `{"sensors":["capteur_é"]}`, Refused: []string{"sensors", "letters, digits"}},
		{RefID: "sensors text", JSON: `{"sensors":"sensmitter_1"}`, Refused: []string{"sensors", "a list"}},
		{RefID: "sensor unknown", JSON: `{"sensors":["nobody_here"],"model":"dbscan"}`, Notice: "No readings of nobody_here"},
		{RefID: "custom without transforms", JSON: `{"featureSet":"custom"}`, Refused: []string{"transforms", "non-empty list", `"custom"`}},
		{RefID: "queryType unknown", JSON: `{"queryType":"heatmap"}`, Refused: []string{"queryType", `"anomalies", "anomaly_count"`}},
		{RefID: "isolationForest array", JSON: `{"isolationForest":[1,2]}`, Refused: []string{"isolationForest", "an object"}},
		{RefID: "live text", JSON: `{"live":"yes"}`, Refused: []string{"live", "true or false"}},
		{RefID: "unknown fields and nulls", JSON: `{` + one + `,"hide":false,"key":"x","extra":{"a":[1]},"contamination":null,"metrics":null}`},
	}
	checkAdversarial(t, runAdversarial(t, p, validSettings, s.Now, cases), cases)
}

// TestAdversarialTimeRanges: empty, tiny, before the data, a month, and panel intervals of 0 or less.
func TestAdversarialTimeRanges(t *testing.T) {
	s := requireServices(t)
	p := launch(t)
	const day = 86_400
	count := `{"queryType":"anomaly_count","model":"dbscan"`
	cases := []adversarialCase{
		{RefID: "empty named", JSON: `{"sensors":["sensmitter_1"]}`, Custom: true, IntervalMS: 60_000, Notice: "The time range is empty"},
		{RefID: "empty all", JSON: `{}`, Custom: true, IntervalMS: 60_000, Notice: "The time range is empty"},
		{RefID: "empty count", JSON: count + `}`, Custom: true, IntervalMS: 60_000, Notice: "The time range is empty"},
		{RefID: "one second", JSON: `{"sensors":["sensmitter_1"],"model":"dbscan"}`, FromS: -1, Custom: true, IntervalMS: 1000, Notice: "DBSCAN needs more than 10 scorable readings"},
		{RefID: "before the data", JSON: count + `}`, FromS: -100 * day, ToS: -99 * day, Custom: true, IntervalMS: 60_000, Notice: "No sensor of table"},
		{RefID: "a month", JSON: count + `}`, FromS: -31 * day, Custom: true, IntervalMS: 60_000, MaxRows: 10_001},
		{RefID: "interval 0", JSON: count + `,"sensors":["sensmitter_1"]}`, FromS: -3600, Custom: true, IntervalMS: 0, MaxRows: 3601},
		{RefID: "interval negative", JSON: count + `,"sensors":["sensmitter_1"]}`, FromS: -3600, Custom: true, IntervalMS: -5000, MaxRows: 3601},
	}
	checkAdversarial(t, runAdversarial(t, p, validSettings, s.Now, cases), cases)
}

// faultyItems: four hours of readings every 10 s for sensors of our own, with
// faults the simulator never writes. adv_faulty's faults lie in the last
// 20 minutes (the query's range) and in its training window; adv_ms stores
// epoch milliseconds; adv_dup repeats some timestamps in milliseconds;
// adv_stuck never changes; adv_few has three readings.
func faultyItems(now time.Time) (items []map[string]any, faultyInRange int) {
	const n = 4 * 360
	end := now.Unix()
	null := map[string]bool{"NULL": true}
	for i := range n {
		ts := end - int64(n-1-i)*10
		d := normalData(i)
		switch i - (n - 120) {
		case -1300: // in the 2 h training window before the range
			d["temperature"] = map[string]string{"S": "warm"}
		case 10:
			delete(d, "humidity") // kept: a missing reading is counted, not skipped
		case 20:
			d = nil // an item without readings
		case 30:
			d["temperature"] = map[string]string{"S": "abc"}
		case 40:
			d["temperature"] = map[string]string{"S": "NaN"}
		case 50:
			d["temperature"] = map[string]string{"S": "Infinity"}
		case 60:
			d["temperature"] = map[string]string{"S": "1e400"} // beyond a double: not a reading
		case 70:
			d["humidity"] = map[string]string{"S": "-1e400"}
		case 80:
			d["temperature"] = map[string]string{"S": " 22.5 "} // a numeric string is a reading
		case 90:
			d["temperature"] = map[string]string{"N": "1e12"} // a huge but finite spike
		case 100:
			d = map[string]any{"temperature": null, "humidity": null, "pressure": null, "light_level": null}
		case 105:
			d["pressure"] = map[string]any{"L": []any{}}
		}
		if d == nil {
			items = append(items, map[string]any{"uid": map[string]string{"S": "adv_faulty"}, "timestamp": map[string]string{"N": fmt.Sprint(ts)}})
		} else {
			items = append(items, reading("adv_faulty", ts, d))
		}
		items = append(items, reading("adv_ms", ts*1000, normalData(i)))
		items = append(items, reading("adv_dup", ts, normalData(i)))
		if i%50 == 0 {
			items = append(items, reading("adv_dup", ts*1000, normalData(i+1)))
		}
		items = append(items, reading("adv_stuck", ts, map[string]any{
			"temperature": map[string]string{"N": "20"}, "humidity": map[string]string{"N": "40"},
			"pressure": map[string]string{"N": "1000"}, "light_level": map[string]string{"N": "0"},
		}))
	}
	for i := range 3 {
		items = append(items, reading("adv_few", end-int64(i)*600, normalData(i)))
	}
	return items, 8 // adv_faulty items in the range that cannot be read: 2 without readings, 6 not numbers
}

// TestAdversarialDynamoItems: malformed, overflowing, duplicated, stuck and
// too few readings in a table of our own, scored by both models.
func TestAdversarialDynamoItems(t *testing.T) {
	s := requireServices(t)
	items, skipped := faultyItems(s.Now)
	table := ownTable(t, s, items)
	settings := datasourceSettings{JSONData: s.settingsJSON(map[string]any{"table": table}), Updated: validSettings.Updated.Add(3 * time.Hour)}
	p := launch(t)
	sensors := `"sensors":["adv_faulty","adv_ms","adv_dup","adv_stuck","adv_few"]`
	last2h := func(c adversarialCase) adversarialCase {
		c.Custom, c.FromS, c.IntervalMS = true, -7200, 60_000
		return c
	}
	cases := []adversarialCase{
		last2h(adversarialCase{RefID: "dbscan", JSON: `{"model":"dbscan",` + sensors + `}`}),
		last2h(adversarialCase{RefID: "window", JSON: `{"isolationForest":{"training":"window","trainingWindow":"2h"},` + sensors + `}`}),
		last2h(adversarialCase{RefID: "no history", JSON: `{"sensors":["adv_faulty"]}`, Notice: "No training history for adv_faulty"}),
		last2h(adversarialCase{RefID: "small eps", JSON: `{"model":"dbscan","dbscan":{"eps":0.3},"sensors":["adv_ms"]}`, Notice: "dbscan.eps 0.3 is too small"}),
		last2h(adversarialCase{RefID: "counts", JSON: `{"model":"dbscan","queryType":"anomaly_count"}`}),
	}
	res := runAdversarial(t, p, settings, s.Now, cases)
	checkAdversarial(t, res, cases)

	// 721 readings every 10 s in 2 h (both ends included); adv_dup repeats 14 of them in milliseconds.
	rangeRows := map[string]int{"adv_faulty": 721 - skipped, "adv_ms": 721, "adv_dup": 721 + 14, "adv_stuck": 721, "adv_few": 3}
	for _, refID := range []string{"dbscan", "window"} {
		frames := res.Responses[refID].Frames
		byName := map[string]*data.Frame{}
		for _, f := range frames {
			byName[f.Name] = f
		}
		for sensor, want := range rangeRows {
			f := byName[sensor]
			if f == nil {
				t.Errorf("%s: no frame for %s (frames %q)", refID, sensor, frameNames(frames))
				continue
			}
			if rows, _ := f.RowLen(); rows != want {
				t.Errorf("%s/%s: %d rows, want every readable item of the range (%d)", refID, sensor, rows, want)
			}
		}
		// Each count is on its own sensor's frame (noticesOf prefixes the frame's name).
		for _, text := range []string{
			fmt.Sprintf("adv_faulty: %d items of adv_faulty in table %s were skipped as malformed (2 no_readings, %d non_numeric_reading)", skipped, table, skipped-2),
			fmt.Sprintf("adv_faulty: Items of adv_faulty in table %s without some readings: 1 without humidity", table),
			"adv_dup: 14 readings of the range are not scored: 14 repeated the timestamp of the reading before",
			"adv_few: ",
		} {
			if !framesSay(frames, text) {
				t.Errorf("%s: no notice says %q; notices: %q", refID, text, noticesOf(frames))
			}
		}
		if f := byName["adv_ms"]; f != nil {
			flags, _ := nullableFloats(fieldByName(f, "anomaly"))
			flagged := 0
			for _, v := range flags {
				flagged += int(v)
			}
			if flagged > len(flags)/10 {
				t.Errorf("%s/adv_ms: %d of %d quiet readings flagged at contamination 0.01", refID, flagged, len(flags))
			}
		}
	}
	if !framesSay(res.Responses["window"].Frames, `Training window (the 2h of readings of adv_faulty`) {
		t.Errorf("window: the malformed item of the training window is not counted in a notice; notices: %q", noticesOf(res.Responses["window"].Frames))
	}
}
