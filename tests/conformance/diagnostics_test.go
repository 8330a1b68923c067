package conformance

// pluginv2.Diagnostics: CheckHealth ("Save & test") and CollectMetrics.

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// unreachableSettings point DynamoDB at a closed loopback port.
var unreachableSettings = datasourceSettings{
	JSONData: `{"table":"lab_sensmitter","defaultRegion":"us-east-1","authType":"keys","endpoint":"http://127.0.0.1:1"}`,
	Updated:  validSettings.Updated.Add(2 * time.Minute),
}

// healthLimit bounds "Save & test" against an endpoint that does not answer (the plugin's own bound is 5 s).
const healthLimit = 7 * time.Second

func TestCheckHealth(t *testing.T) {
	p := launch(t)
	cases := []struct {
		name       string
		settings   datasourceSettings
		status     backend.HealthStatus
		messageHas []string
	}{
		{name: "valid settings", settings: validSettings, status: backend.HealthStatusOk, messageHas: []string{"DynamoDB table", "Query by sensor", "rows", "skipped"}},
		{name: "missing table", settings: missingTableSettings, status: backend.HealthStatusError, messageHas: []string{missingTableWord}},
		{name: "unreachable endpoint", settings: unreachableSettings, status: backend.HealthStatusError, messageHas: []string{"127.0.0.1:1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.status == backend.HealthStatusOk {
				requireServices(t)
			}
			started := time.Now()
			raw, err := p.Diagnostics.CheckHealth(rpcContext(t), &pluginv2.CheckHealthRequest{
				PluginContext: backend.ToProto().PluginContext(pluginContext(c.settings)),
			})
			took := time.Since(started)
			if err != nil {
				t.Fatalf("CheckHealth returned a gRPC error (Grafana shows \"Plugin health check failed\"): %v", err)
			}
			if took > healthLimit {
				t.Errorf("CheckHealth took %s, want < %s", took, healthLimit)
			}
			assertNoSecret(t, "the health check response", mustMarshal(t, raw))
			res := backend.FromProto().CheckHealthResponse(raw)
			t.Logf("status %s in %d ms, message %q, details %s", res.Status, took.Milliseconds(), res.Message, res.JSONDetails)
			if res.Status != c.status {
				t.Errorf("status %s, want %s", res.Status, c.status)
			}
			for _, word := range c.messageHas {
				if !strings.Contains(res.Message, word) {
					t.Errorf("message %q does not name %q", res.Message, word)
				}
			}
			if res.Message == "" {
				t.Errorf("empty message: \"Save & test\" would show nothing")
			}
			// Grafana unmarshals non-empty details into a map, or answers HTTP 500.
			if len(res.JSONDetails) > 0 {
				var details map[string]any
				if err := json.Unmarshal(res.JSONDetails, &details); err != nil {
					t.Errorf("jsonDetails is not a JSON object: %v", err)
				}
			}
		})
	}
}

// TestCollectMetrics: the Prometheus text parses, the process metrics are
// there, and the plugin's own request counter counts our QueryData calls.
func TestCollectMetrics(t *testing.T) {
	p := launch(t)
	before := collectMetrics(t, p)

	const calls = 3
	tr := queryRange(queryNow())
	for range calls {
		if _, err := p.Data.QueryData(rpcContext(t), backend.ToProto().QueryDataRequest(queryDataRequest(t, queryCases[:1], tr))); err != nil {
			t.Fatalf("QueryData: %v", err)
		}
	}
	after := collectMetrics(t, p)

	t.Logf("plugin metric families: %s", strings.Join(ownFamilies(after), ", "))
	if _, ok := after["process_resident_memory_bytes"]; !ok {
		t.Errorf("process_resident_memory_bytes missing")
	}
	countBefore, _ := queryDataRequestCount(before)
	countAfter, sources := queryDataRequestCount(after)
	if len(sources) == 0 {
		t.Fatalf("no %s* counter with \"request\" in its name counts QueryData (by name or label value)", metricPrefix)
	}
	t.Logf("QueryData request count %v → %v, from %s", countBefore, countAfter, strings.Join(sources, ", "))
	if countAfter < calls {
		t.Errorf("QueryData request count %v after %d calls, want ≥ %d", countAfter, calls, calls)
	}
	if countAfter-countBefore < calls {
		t.Errorf("QueryData request count rose by %v over %d calls", countAfter-countBefore, calls)
	}
}

func collectMetrics(t *testing.T, p *pluginProcess) map[string]*dto.MetricFamily {
	t.Helper()
	raw, err := p.Diagnostics.CollectMetrics(rpcContext(t), &pluginv2.CollectMetricsRequest{
		PluginContext: backend.ToProto().PluginContext(pluginContext(validSettings)),
	})
	if err != nil {
		t.Fatalf("CollectMetrics: %v", err)
	}
	text := backend.FromProto().CollectMetricsResponse(raw).PrometheusMetrics
	assertNoSecret(t, "the metrics", text)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("metrics are not valid Prometheus text: %v\n%s", err, truncate(string(text), 2000))
	}
	return families
}

func ownFamilies(families map[string]*dto.MetricFamily) []string {
	var names []string
	for name := range families {
		if strings.HasPrefix(name, metricPrefix) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// queryDataRequestCount discovers the request counter rather than hard-coding
// its name: it sums every sample of the plugin's counters whose family name
// mentions "request" and whose name or a label value mentions QueryData
// (query_data, queryData, … all match).
func queryDataRequestCount(families map[string]*dto.MetricFamily) (float64, []string) {
	var total float64
	var sources []string
	for _, name := range ownFamilies(families) {
		family := families[name]
		if family.GetType() != dto.MetricType_COUNTER || !strings.Contains(name, "request") {
			continue
		}
		for _, m := range family.GetMetric() {
			if mentionsQueryData(name) || labelMentionsQueryData(m) {
				total += m.GetCounter().GetValue()
				sources = append(sources, name+describeLabels(m))
			}
		}
	}
	return total, sources
}

func mentionsQueryData(s string) bool {
	return strings.Contains(strings.ToLower(strings.ReplaceAll(s, "_", "")), "querydata")
}

func labelMentionsQueryData(m *dto.Metric) bool {
	for _, l := range m.GetLabel() {
		if mentionsQueryData(l.GetValue()) {
			return true
		}
	}
	return false
}

func describeLabels(m *dto.Metric) string {
	parts := make([]string, 0, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	return "{" + strings.Join(parts, ",") + "}"
}
