package conformance

// A DynamoDB table of our own in the shared DynamoDB Local, written over its
// plain JSON API (no AWS SDK in this module): items the simulator never writes.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// dynamoCall sends one DynamoDB JSON API request to DynamoDB Local, which
// does not check signatures (but wants an Authorization header).
func dynamoCall(t *testing.T, s *testServices, target string, body any) map[string]any {
	t.Helper()
	payload, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.DynamoDB, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+target)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/"+s.Region+"/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("DynamoDB %s: %v", target, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("DynamoDB %s: %d %s", target, res.StatusCode, raw)
	}
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return out
}

// ownTable creates a table keyed like the seeded one (uid S, timestamp N),
// writes items into it and deletes it when the test ends, so the seeded
// table's sensor list stays what the other tests expect.
func ownTable(t *testing.T, s *testServices, items []map[string]any) string {
	t.Helper()
	name := fmt.Sprintf("adv_%s_%d", t.Name(), time.Now().UnixNano())
	dynamoCall(t, s, "CreateTable", map[string]any{
		"TableName":   name,
		"BillingMode": "PAY_PER_REQUEST",
		"AttributeDefinitions": []map[string]string{
			{"AttributeName": "uid", "AttributeType": "S"},
			{"AttributeName": "timestamp", "AttributeType": "N"},
		},
		"KeySchema": []map[string]string{
			{"AttributeName": "uid", "KeyType": "HASH"},
			{"AttributeName": "timestamp", "KeyType": "RANGE"},
		},
	})
	t.Cleanup(func() { dynamoCall(t, s, "DeleteTable", map[string]any{"TableName": name}) })
	for start := 0; start < len(items); start += 25 {
		batch := []map[string]any{}
		for _, item := range items[start:min(start+25, len(items))] {
			batch = append(batch, map[string]any{"PutRequest": map[string]any{"Item": item}})
		}
		out := dynamoCall(t, s, "BatchWriteItem", map[string]any{"RequestItems": map[string]any{name: batch}})
		if left, _ := out["UnprocessedItems"].(map[string]any); len(left) > 0 {
			t.Fatalf("BatchWriteItem left items unwritten: %v", left)
		}
	}
	return name
}

// reading is one item in the seeded layout: uid, timestamp (N) and payload.data.
func reading(sensor string, epoch int64, data map[string]any) map[string]any {
	return map[string]any{
		"uid":       map[string]string{"S": sensor},
		"timestamp": map[string]string{"N": fmt.Sprint(epoch)},
		"payload":   map[string]any{"M": map[string]any{"data": map[string]any{"M": data}}},
	}
}

// normalData is a plausible reading i of a quiet lab: every metric a typed number.
func normalData(i int) map[string]any {
	wobble := float64(i%7) * 0.01
	return map[string]any{
		"temperature": map[string]string{"N": fmt.Sprintf("%.2f", 21.5+wobble)},
		"humidity":    map[string]string{"N": fmt.Sprintf("%.1f", 45+wobble*10)},
		"pressure":    map[string]string{"N": fmt.Sprintf("%.1f", 1013+wobble)},
		"light_level": map[string]string{"N": fmt.Sprint(300 + i%5)},
	}
}

// frameStat is the frame's meta.stats value named `name` (-1 when absent).
func frameStat(f *data.Frame, name string) float64 {
	if f.Meta != nil {
		for _, s := range f.Meta.Stats {
			if s.DisplayName == name {
				return s.Value
			}
		}
	}
	return -1
}

// TestMalformedItemsOnTheirSensorsFrame: two sensors in one query, only the
// second with malformed items. Their count must be on the second sensor's
// frame (its panel and its alert instance look there), not on the first
// sensor's, for named and for all sensors, and again on a refresh answered
// mostly from the plugin's cache of recent readings.
func TestMalformedItemsOnTheirSensorsFrame(t *testing.T) {
	s := requireServices(t)
	const n = 720 // 2 h every 10 s; the query reads the last hour (and the features' warm-up before it)
	end := s.Now.Unix()
	var items []map[string]any
	for i := range n {
		ts := end - int64(n-1-i)*10
		items = append(items, reading("mal_a_clean", ts, normalData(i)))
		d := normalData(i)
		switch n - 1 - i {
		case 30: // 5 min before now
			d["temperature"] = map[string]string{"S": "abc"}
		case 20:
			d = map[string]any{}
		case 10:
			delete(d, "humidity") // kept: counted as a missing reading
		}
		items = append(items, reading("mal_b_faulty", ts, d))
	}
	table := ownTable(t, s, items)
	settings := datasourceSettings{JSONData: s.settingsJSON(map[string]any{"table": table}), Updated: validSettings.Updated.Add(4 * time.Hour)}
	p := launch(t)
	last1h := func(c adversarialCase) adversarialCase {
		c.Custom, c.FromS, c.IntervalMS = true, -3600, 60_000
		return c
	}
	cases := []adversarialCase{
		last1h(adversarialCase{RefID: "named", JSON: `{"model":"dbscan","sensors":["mal_a_clean","mal_b_faulty"]}`}),
		last1h(adversarialCase{RefID: "all", JSON: `{"model":"dbscan","queryType":"anomaly_count"}`}),
	}
	skipped := fmt.Sprintf("2 items of mal_b_faulty in table %s were skipped as malformed (1 non_numeric_reading, 1 no_readings)", table)
	missing := fmt.Sprintf("Items of mal_b_faulty in table %s without some readings: 1 without humidity", table)
	for _, pass := range []string{"first read", "refresh"} {
		res := runAdversarial(t, p, settings, s.Now, cases)
		checkAdversarial(t, res, cases)
		for _, c := range cases {
			frames := res.Responses[c.RefID].Frames
			if names := frameNames(frames); len(names) != 2 || names[0] != "mal_a_clean" || names[1] != "mal_b_faulty" {
				t.Fatalf("%s/%s: frames %q, want mal_a_clean then mal_b_faulty", pass, c.RefID, names)
			}
			clean, faulty := frames[0], frames[1]
			for _, text := range []string{skipped, missing} {
				if !framesSay(data.Frames{faulty}, text) {
					t.Errorf("%s/%s: mal_b_faulty's frame does not say %q; notices: %q", pass, c.RefID, text, noticesOf(frames))
				}
			}
			if got := noticesOf(data.Frames{clean}); len(got) != 0 {
				t.Errorf("%s/%s: mal_a_clean's frame has notices, but its items are all fine: %q", pass, c.RefID, got)
			}
			if reused := frameStat(faulty, "Readings reused from the cache"); pass == "refresh" && reused <= 0 {
				t.Errorf("%s/%s: the refresh reused no cached readings (%v): it did not test the cache", pass, c.RefID, reused)
			}
			if a, b := frameStat(clean, "DynamoDB items skipped"), frameStat(faulty, "DynamoDB items skipped"); a != 0 || b != 2 {
				t.Errorf("%s/%s: DynamoDB items skipped %v on mal_a_clean and %v on mal_b_faulty, want 0 and 2", pass, c.RefID, a, b)
			}
		}
	}
}
