package conformance

// pluginv2.Data: QueryData, decoded with the same SDK path Grafana runs.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"google.golang.org/protobuf/proto"
)

// TestQueryData sends every query case in ONE request, as a dashboard with
// several queries does, and checks each refId's answer on its own.
func TestQueryData(t *testing.T) {
	if services == nil {
		t.Logf("only the cases without data run: %s", servicesHint)
	}
	p := launch(t)
	timeRange := queryRange(queryNow())

	started := time.Now()
	raw, err := p.Data.QueryData(rpcContext(t), backend.ToProto().QueryDataRequest(queryDataRequest(t, queryCases, timeRange)))
	if err != nil {
		t.Fatalf("QueryData returned a gRPC error (Grafana fails every query of the request): %v", err)
	}
	t.Logf("QueryData with %d queries answered in %d ms", len(queryCases), time.Since(started).Milliseconds())
	checkQueryDataResponse(t, raw, queryCases, timeRange)
}

// TestQueryDataConcurrent: Grafana runs the queries of several panels and
// users at once; concurrent requests must not disturb each other's answers.
func TestQueryDataConcurrent(t *testing.T) {
	const requests = 6
	p := launch(t)
	timeRange := queryRange(queryNow())
	req := backend.ToProto().QueryDataRequest(queryDataRequest(t, queryCases, timeRange))

	responses := make([]*pluginv2.QueryDataResponse, requests)
	errs := make([]error, requests)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() { responses[i], errs[i] = p.Data.QueryData(rpcContext(t), req) })
	}
	wg.Wait()
	for i := range requests {
		t.Run(fmt.Sprintf("request %d", i), func(t *testing.T) {
			if errs[i] != nil {
				t.Fatalf("QueryData: %v", errs[i])
			}
			checkQueryDataResponse(t, responses[i], queryCases, timeRange)
		})
	}
}

// checkQueryDataResponse decodes one response as Grafana does and checks
// every refId against its case, each in its own subtest.
func checkQueryDataResponse(t *testing.T, raw *pluginv2.QueryDataResponse, cases []queryCase, tr backend.TimeRange) {
	t.Helper()
	assertNoSecret(t, "the QueryData response", mustMarshal(t, raw))
	res := decodeQueryData(t, raw)
	checkRefIDsMatch(t, raw, cases)
	for _, c := range cases {
		t.Run(c.RefID, func(t *testing.T) {
			dr, ok := res.Responses[c.RefID]
			if !ok {
				t.Fatalf("refId %s missing from the response: Grafana shows no data, alerting reports NoData", c.RefID)
			}
			checkQueryCase(t, c, dr, tr)
		})
	}
}

// timeNowMillis is now at the wire's millisecond precision, so range checks
// compare against exactly what the plugin was sent.
func timeNowMillis() time.Time {
	return time.UnixMilli(time.Now().UnixMilli()).UTC()
}

// queryDataRequest builds the request the way Grafana does: the query model
// JSON as sent by the frontend, with queryType copied into DataQuery.QueryType.
func queryDataRequest(t *testing.T, cases []queryCase, tr backend.TimeRange) *backend.QueryDataRequest {
	t.Helper()
	req := &backend.QueryDataRequest{
		PluginContext: pluginContext(validSettings),
		Headers:       map[string]string{"http_X-Grafana-Org-Id": "1"},
	}
	for _, c := range cases {
		model := map[string]any{}
		if err := json.Unmarshal([]byte(c.JSON), &model); err != nil {
			t.Fatalf("query %s: bad JSON in the contract: %v", c.RefID, err)
		}
		// The frontend sends the whole query object, refId and datasource included.
		model["refId"] = c.RefID
		model["datasource"] = map[string]string{"type": pluginID, "uid": datasourceUID}
		full, err := json.Marshal(model)
		if err != nil {
			t.Fatal(err)
		}
		queryType, _ := model["queryType"].(string)
		req.Queries = append(req.Queries, backend.DataQuery{
			RefID:         c.RefID,
			QueryType:     queryType,
			MaxDataPoints: queryMaxDataPoints,
			Interval:      tr.Duration() / queryMaxDataPoints,
			TimeRange:     tr,
			JSON:          full,
		})
	}
	return req
}

// decodeQueryData first decodes each refId on its own so a failure names the
// culprit, then decodes the whole response exactly as Grafana does (where a
// single undecodable frame fails every query).
func decodeQueryData(t *testing.T, raw *pluginv2.QueryDataResponse) *backend.QueryDataResponse {
	t.Helper()
	for refID, r := range raw.Responses {
		for i, frame := range r.Frames {
			if err := checkArrowContainer(frame); err != nil {
				t.Errorf("refId %s frame %d: %v", refID, i, err)
			}
		}
		if r.Format == pluginv2.DataFrameFormat_ARROW {
			if _, err := data.UnmarshalArrowFrames(r.Frames); err != nil {
				t.Errorf("refId %s: data.UnmarshalArrowFrames: %v", refID, err)
			}
		} else {
			t.Errorf("refId %s: frame format %s; answer Arrow, which every Grafana version decodes", refID, r.Format)
		}
	}
	res, err := backend.FromProto().QueryDataResponse(raw)
	if err != nil {
		t.Fatalf("Grafana's decoder rejects the whole response: %v", err)
	}
	return res
}

func checkRefIDsMatch(t *testing.T, raw *pluginv2.QueryDataResponse, cases []queryCase) {
	t.Helper()
	asked := map[string]bool{}
	for _, c := range cases {
		asked[c.RefID] = true
	}
	for refID := range raw.Responses {
		if !asked[refID] {
			t.Errorf("response has refId %q that was not asked for", refID)
		}
	}
}

func checkQueryCase(t *testing.T, c queryCase, dr backend.DataResponse, tr backend.TimeRange) {
	t.Helper()
	if dr.Status != c.Status {
		t.Errorf("status %d, want %d", dr.Status, c.Status)
	}
	if c.ErrorNames != "" {
		checkQueryError(t, c, dr)
	} else if dr.Error != nil {
		t.Errorf("unexpected error (source %q): %v", dr.ErrorSource, dr.Error)
	}
	for i, f := range dr.Frames {
		if f.RefID != c.RefID {
			t.Errorf("frame %d (%q) has refId %q, want %q", i, f.Name, f.RefID, c.RefID)
		}
		for _, problem := range checkTimeUnits(f) {
			t.Errorf("frame %d (%q): %s", i, f.Name, problem)
		}
		// Grafana re-encodes every frame as JSON for the browser.
		if _, err := data.FrameToJSON(f, data.IncludeAll); err != nil {
			t.Errorf("frame %d (%q): data.FrameToJSON: %v", i, f.Name, err)
		}
	}
	if c.Frames == nil {
		return
	}
	frames, err := matchFrames(dr.Frames, c.Frames)
	if err != nil {
		t.Fatal(err)
	}
	var within *backend.TimeRange
	if c.InRange {
		within = &tr
	}
	for i, f := range frames {
		for _, problem := range checkFrameSpec(f, c.Frames[i]) {
			t.Errorf("frame %q: %s", f.Name, problem)
		}
		if c.TimeSeries {
			for _, problem := range checkTimeSeriesRows(f, within) {
				t.Errorf("frame %q: %s", f.Name, problem)
			}
		}
		rows, _ := f.RowLen()
		t.Logf("frame %q: %d rows, fields %s", f.Name, rows, describeFields(f.Fields))
	}
	if c.Dataplane {
		for _, problem := range checkTimeSeriesMulti(dr.Frames) {
			t.Errorf("dataplane %s: %s", data.FrameTypeTimeSeriesMulti, problem)
		}
	}
	for _, problem := range checkUniqueSeries(dr.Frames) {
		t.Error(problem)
	}
}

func checkQueryError(t *testing.T, c queryCase, dr backend.DataResponse) {
	t.Helper()
	if dr.Error == nil {
		t.Errorf("want an error naming %q, got none (%d frames)", c.ErrorNames, len(dr.Frames))
		return
	}
	t.Logf("error (source %q): %v", dr.ErrorSource, dr.Error)
	if !strings.Contains(dr.Error.Error(), c.ErrorNames) {
		t.Errorf("error %q does not name %q", dr.Error, c.ErrorNames)
	}
	if c.ErrorSource != "" && dr.ErrorSource != c.ErrorSource {
		t.Errorf("error source %q, want %q", dr.ErrorSource, c.ErrorSource)
	}
}

// assertNoSecret fails when the data source's secret shows up in payload.
func assertNoSecret(t *testing.T, what string, payload []byte) {
	t.Helper()
	if bytes.Contains(payload, []byte(secretKey)) {
		t.Errorf("the data source's secret value appears in %s", what)
	}
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatalf("marshal %T: %v", m, err)
	}
	return b
}
