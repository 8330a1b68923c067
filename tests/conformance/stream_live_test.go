package conformance

// Live anomaly streams (Grafana Live) from DynamoDB and from Kafka, driven as
// Grafana drives them: QueryData with a live query hands out a channel per
// sensor; SubscribeStream accepts it; RunStream sends frame-JSON packets
// (the schema once, then data only) with the simulator's new readings
// scored; cancelling ends the call; a restarted run continues where the
// last one stopped, without a duplicate or a gap.
//
// The readings come from the simulator (tools/simulator/cli.ts), started by
// each test: 75 minutes of backfill (the feature windows need an hour) and
// then one reading every 500 ms, into a table (and a topic) of the test's own.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	liveReadingEvery = 500 * time.Millisecond
	// liveRows is how many scored rows each run must deliver.
	liveRows = 6
	// livePacketWait bounds the wait for those rows.
	livePacketWait = 40 * time.Second
)

// liveFeed is the simulator writing one sensor's readings while a test runs.
type liveFeed struct {
	Table, Topic string
	cmd          *exec.Cmd
}

// startLiveFeed runs the simulator until the test ends; it returns once the
// backfill is written and live readings flow.
func startLiveFeed(t *testing.T, s *testServices, kafkaBrokers string) *liveFeed {
	t.Helper()
	suffix := fmt.Sprintf("%d", rand.Uint32())
	feed := &liveFeed{Table: "iotlab_live_" + suffix, Topic: "readings-" + suffix}
	args := []string{
		"tsx", "tools/simulator/cli.ts",
		"--sensors", "1", "--seed", "42", "--history-rows", "0", "--timestamp-unit", "ms",
		"--rate", fmt.Sprint(1 / liveReadingEvery.Seconds()), "--backfill", "1.25", "--duration", "300",
		"--dynamodb-endpoint", s.DynamoDB, "--s3-endpoint", s.S3,
		"--table", feed.Table, "--bucket", "iotlab-live-feed", "--labels-dir", t.TempDir(),
	}
	if kafkaBrokers != "" {
		args = append(args, "--kafka-brokers", kafkaBrokers, "--kafka-topic", feed.Topic)
	}
	// Node itself (the project's, first on PATH under npm) with tsx as a module hook: one process, so Kill stops it.
	feed.cmd = exec.Command("node", append([]string{"--import"}, args...)...)
	feed.cmd.Dir = filepath.Join("..", "..")
	feed.cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=")
	stdout, err := feed.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	feed.cmd.Stderr = feed.cmd.Stdout
	guardAgainstOrphans(feed.cmd)
	if err := feed.cmd.Start(); err != nil {
		t.Fatalf("simulator: %v", err)
	}
	t.Cleanup(func() {
		_ = feed.cmd.Process.Kill()
		_ = feed.cmd.Wait()
	})
	ready, exited := make(chan struct{}), make(chan struct{})
	var output strings.Builder
	go func() {
		defer close(exited)
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			output.WriteString(scanner.Text() + "\n")
			if strings.HasPrefix(scanner.Text(), "live: one item per sensor") {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-exited:
		t.Fatalf("the simulator stopped before streaming:\n%s", output.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("the simulator did not start streaming within 90 s:\n%s", output.String())
	}
	return feed
}

func liveSettings(s *testServices, feed *liveFeed, kafkaBrokers string) datasourceSettings {
	over := map[string]any{"table": feed.Table, "livePollIntervalMs": 250}
	if kafkaBrokers != "" {
		over["kafkaBrokers"] = kafkaBrokers
		over["kafkaReadingsTopic"] = feed.Topic
	}
	return datasourceSettings{JSONData: s.settingsJSON(over), Updated: validSettings.Updated.Add(2 * time.Hour)}
}

// liveChannel runs the live query through QueryData and returns the sensor's channel path.
func liveChannel(t *testing.T, p *pluginProcess, settings datasourceSettings, sensor, source string) string {
	t.Helper()
	now := time.Now()
	query := fmt.Sprintf(`{"queryType":"anomalies","sensors":[%q],"live":true,"liveSource":%q}`, sensor, source)
	raw, err := p.Data.QueryData(rpcContext(t), pipelineRequest(t, settings, backend.TimeRange{From: now.Add(-time.Hour), To: now}, map[string]string{"L": query}))
	if err != nil {
		t.Fatalf("QueryData: %v", err)
	}
	res := decodeQueryData(t, raw).Responses["L"]
	if res.Error != nil {
		t.Fatalf("live query failed: %v", res.Error)
	}
	for _, f := range res.Frames {
		if f.Meta != nil && f.Meta.Channel != "" {
			prefix := "ds/" + datasourceUID + "/"
			if !strings.HasPrefix(f.Meta.Channel, prefix) || len(f.Meta.Channel) > 160 {
				t.Fatalf("channel %q: want ds/%s/<path> of at most 160 characters", f.Meta.Channel, datasourceUID)
			}
			t.Logf("QueryData: frame %q (%d rows) streams on %s", f.Name, rowsOf(f), f.Meta.Channel)
			return strings.TrimPrefix(f.Meta.Channel, prefix)
		}
	}
	t.Fatalf("the live query's frames name no channel (%d frames)", len(res.Frames))
	return ""
}

func rowsOf(f *data.Frame) int {
	n, _ := f.RowLen()
	return n
}

// liveRow is one reading a stream sent.
type liveRow struct {
	Time   int64
	Score  *float64
	Flag   *float64
	Reason *float64
}

// packetRows decodes a packet: the first carries the schema (checked with the
// SDK's decoder), the later ones data only, read against that schema.
func packetRows(t *testing.T, packet []byte, schema *[]string) []liveRow {
	t.Helper()
	if !json.Valid(packet) {
		t.Fatalf("packet is not JSON: %s", truncate(string(packet), 200))
	}
	var envelope struct {
		Schema *struct {
			Fields []struct {
				Name string `json:"name"`
			} `json:"fields"`
		} `json:"schema"`
		Data struct {
			Values [][]*float64 `json:"values"`
		} `json:"data"`
	}
	if err := json.Unmarshal(packet, &envelope); err != nil {
		t.Fatalf("packet: %v: %s", err, truncate(string(packet), 300))
	}
	if envelope.Schema != nil {
		var frame data.Frame
		if err := frame.UnmarshalJSON(packet); err != nil {
			t.Fatalf("packet with a schema is not SDK frame JSON: %v", err)
		}
		*schema = (*schema)[:0]
		for _, f := range envelope.Schema.Fields {
			*schema = append(*schema, f.Name)
		}
	} else if len(*schema) == 0 {
		t.Fatalf("a data-only packet came before any schema: %s", truncate(string(packet), 200))
	}
	column := func(name string) []*float64 {
		for i, n := range *schema {
			if n == name && i < len(envelope.Data.Values) {
				return envelope.Data.Values[i]
			}
		}
		t.Fatalf("packet has no %q field (schema %v)", name, *schema)
		return nil
	}
	times, scores, flags, reasons := column("time"), column("anomaly_score"), column("anomaly"), column("explanation")
	rows := make([]liveRow, len(times))
	for i := range times {
		rows[i] = liveRow{Time: int64(*times[i]), Score: scores[i], Flag: flags[i], Reason: reasons[i]}
	}
	return rows
}

// runLive reads packets until `want` scored rows came, then cancels and
// checks the call ends. It returns every row received.
func runLive(t *testing.T, p *pluginProcess, settings datasourceSettings, path string, want int) []liveRow {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), livePacketWait+10*time.Second)
	defer cancel()
	stream, err := p.Stream.RunStream(ctx, backend.ToProto().RunStreamRequest(&backend.RunStreamRequest{PluginContext: pluginContext(settings), Path: path}))
	if err != nil {
		t.Fatalf("RunStream: %v", err)
	}
	var schema []string
	var rows []liveRow
	scored, packets, withSchema := 0, 0, 0
	deadline := time.Now().Add(livePacketWait)
	for scored < want && time.Now().Before(deadline) {
		packet, err := stream.Recv()
		if err != nil {
			t.Fatalf("after %d packets and %d scored rows: %v", packets, scored, err)
		}
		assertNoSecret(t, "a live packet", packet.Data)
		if strings.Contains(string(packet.Data), `"schema"`) {
			withSchema++
		}
		got := packetRows(t, packet.Data, &schema)
		packets++
		for _, r := range got {
			if r.Score != nil {
				scored++
			}
		}
		rows = append(rows, got...)
	}
	if scored < want {
		t.Fatalf("%d scored rows in %s (%d packets), want %d", scored, livePacketWait, packets, want)
	}
	if withSchema != 1 {
		t.Errorf("%d of %d packets carried the schema; want the first only (the schema does not change)", withSchema, packets)
	}
	t.Logf("%d packets, %d rows (%d scored), fields %v", packets, len(rows), scored, schema)

	cancel()
	cancelled := time.Now()
	if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
		t.Errorf("after cancel, Recv returned %v, want code Canceled", err)
	}
	t.Logf("stream ended %d ms after cancel", time.Since(cancelled).Milliseconds())
	if d := time.Since(cancelled); d > streamEndLimit {
		t.Errorf("stream took %s to end after cancel", d)
	}
	return rows
}

func checkLiveRows(t *testing.T, rows []liveRow, notBefore time.Time) {
	t.Helper()
	for i, r := range rows {
		if i > 0 && r.Time <= rows[i-1].Time {
			t.Fatalf("row %d: time %d does not follow %d (a duplicate or out of order)", i, r.Time, rows[i-1].Time)
		}
		if r.Score != nil && (r.Flag == nil || (*r.Flag != 0 && *r.Flag != 1) || r.Reason == nil) {
			t.Errorf("row %d: a scored row needs a 0/1 anomaly and an explanation", i)
		}
	}
	if first := time.UnixMilli(rows[0].Time); first.Before(notBefore.Add(-time.Minute)) {
		t.Errorf("first streamed reading at %s: older than what the query had already shown", first.Format(time.RFC3339))
	}
}

func testLiveStream(t *testing.T, source string) {
	s := requireServices(t)
	brokers := ""
	if source == "kafka" {
		brokers = os.Getenv("IOTLAB_TEST_KAFKA_BROKERS")
		if brokers == "" {
			if os.Getenv("IOTLAB_REQUIRE_TEST_SERVICES") == "1" {
				t.Fatal("IOTLAB_TEST_KAFKA_BROKERS unset: start the test services with --kafka")
			}
			t.Skip("IOTLAB_TEST_KAFKA_BROKERS unset: start the test services with --kafka")
		}
	}
	feed := startLiveFeed(t, s, brokers)
	p := launch(t)
	settings := liveSettings(s, feed, brokers)
	sensor := "sensmitter_1"
	started := time.Now()
	path := liveChannel(t, p, settings, sensor, source)

	sub, err := p.Stream.SubscribeStream(rpcContext(t), &pluginv2.SubscribeStreamRequest{
		PluginContext: backend.ToProto().PluginContext(pluginContext(settings)),
		Path:          path,
	})
	if err != nil || backend.FromProto().SubscribeStreamResponse(sub).Status != backend.SubscribeStreamStatusOK {
		t.Fatalf("SubscribeStream %s: %v, status %v", path, err, sub.GetStatus())
	}

	first := runLive(t, p, settings, path, liveRows)
	checkLiveRows(t, first, started)
	// Grafana restarts RunStream when the channel gets a viewer again: no duplicate, no gap.
	second := runLive(t, p, settings, path, liveRows)
	last, next := first[len(first)-1].Time, second[0].Time
	if next <= last {
		t.Errorf("the restarted run repeated a reading: first new row at %d, the last run ended at %d", next, last)
	}
	if gap := time.Duration(next-last) * time.Millisecond; gap > 2*liveReadingEvery {
		t.Errorf("the restarted run skipped readings: %s between the last row of the first run and the first of the next", gap)
	}
	checkLiveRows(t, append(first, second...), started)
}

func TestLiveStreamFromDynamoDB(t *testing.T) { testLiveStream(t, "dynamodb") }

func TestLiveStreamFromKafka(t *testing.T) { testLiveStream(t, "kafka") }
