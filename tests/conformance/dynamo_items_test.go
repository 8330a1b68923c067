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
