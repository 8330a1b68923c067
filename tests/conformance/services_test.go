package conformance

// The shared test services (tools/stack/testServices.ts): DynamoDB Local and
// moto's S3 server seeded with the simulator's deterministic, labelled data.
// `npm test` (tools/test.sh) starts them once and exports their endpoints; run
// alone without them, the tests that need data skip and say how to start them.

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testServices is what the launcher exports (the IOTLAB_TEST_* variables).
type testServices struct {
	DynamoDB, S3, Region, Table, Bucket, HistoryKeyTemplate string
	Sensors                                                 []string
	Now, LiveStart                                          time.Time
	LiveInterval                                            time.Duration
	LabelsFile                                              string
}

// services is nil when the environment does not name them.
var services = loadTestServices()

const servicesHint = "the shared test services are not running (IOTLAB_TEST_* unset): " +
	"`npm test` starts them, or run `eval \"$(npx tsx tools/stack/testServices.ts)\"` in another shell " +
	"and export its output here"

func loadTestServices() *testServices {
	get := os.Getenv
	if get("IOTLAB_TEST_DYNAMODB_ENDPOINT") == "" || get("IOTLAB_TEST_S3_ENDPOINT") == "" {
		return nil
	}
	ms := func(name string) time.Time {
		n, _ := strconv.ParseInt(get(name), 10, 64)
		return time.UnixMilli(n).UTC()
	}
	interval, _ := strconv.ParseInt(get("IOTLAB_TEST_LIVE_INTERVAL_MS"), 10, 64)
	return &testServices{
		DynamoDB:           get("IOTLAB_TEST_DYNAMODB_ENDPOINT"),
		S3:                 get("IOTLAB_TEST_S3_ENDPOINT"),
		Region:             get("IOTLAB_TEST_REGION"),
		Table:              get("IOTLAB_TEST_TABLE"),
		Bucket:             get("IOTLAB_TEST_BUCKET"),
		HistoryKeyTemplate: get("IOTLAB_TEST_HISTORY_KEY_TEMPLATE"),
		Sensors:            strings.Split(get("IOTLAB_TEST_SENSORS"), ","),
		Now:                ms("IOTLAB_TEST_NOW_MS"),
		LiveStart:          ms("IOTLAB_TEST_LIVE_START_MS"),
		LiveInterval:       time.Duration(interval) * time.Millisecond,
		LabelsFile:         get("IOTLAB_TEST_LABELS_FILE"),
	}
}

// requireServices skips a test that needs the seeded emulators when they are absent, and fails it
// when the run asked for them (tools/test.sh sets IOTLAB_REQUIRE_TEST_SERVICES=1: `npm test` must run every test).
func requireServices(t *testing.T) *testServices {
	t.Helper()
	if services == nil {
		if os.Getenv("IOTLAB_REQUIRE_TEST_SERVICES") == "1" {
			t.Fatal(servicesHint)
		}
		t.Skip(servicesHint)
	}
	return services
}

// settingsJSON is the data source's jsonData pointing at the services, with overrides.
func (s *testServices) settingsJSON(over map[string]any) string {
	settings := map[string]any{
		"authType":           "keys",
		"defaultRegion":      s.Region,
		"endpoint":           s.DynamoDB,
		"table":              s.Table,
		"historyBucket":      s.Bucket,
		"historyKeyTemplate": s.HistoryKeyTemplate,
		"s3Endpoint":         s.S3,
		"s3ForcePathStyle":   true,
	}
	for k, v := range over {
		settings[k] = v
	}
	out, err := json.Marshal(settings)
	if err != nil {
		panic(err)
	}
	return string(out)
}

// label is one ground-truth anomaly episode of the simulator.
type label struct {
	SensorID string `json:"sensorId"`
	Kind     string `json:"kind"`
	Metric   string `json:"metric"`
	StartMs  int64  `json:"startMs"`
	EndMs    int64  `json:"endMs"`
}

func (s *testServices) labels(t *testing.T) []label {
	t.Helper()
	raw, err := os.ReadFile(s.LabelsFile)
	if err != nil {
		t.Fatalf("labels: %v", err)
	}
	var file struct {
		Labels []label `json:"labels"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("labels: %v", err)
	}
	return file.Labels
}
