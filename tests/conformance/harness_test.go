// Package conformance launches the plugin's backend executable exactly the way
// Grafana does (hashicorp/go-plugin with the Grafana SDK's handshake and gRPC
// plugin set) and checks every RPC with Grafana's own client and decoders.
package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

const (
	// binaryEnv overrides where the backend executable is looked for.
	binaryEnv = "GPX_BINARY"
	// executableBase is plugin.json's "executable"; Grafana appends _<goos>_<goarch>.
	executableBase = "gpx_iotlab_anomaly"

	// handshakeLimit is deliberately generous (the target is < 1 s, which is
	// logged) so a busy CI machine does not make the suite flaky.
	handshakeLimit = 5 * time.Second
	// gracefulExitLimit is how long go-plugin's Kill() waits after the Shutdown
	// RPC before it SIGKILLs the plugin and logs failedToExitMessage.
	gracefulExitLimit   = 2 * time.Second
	failedToExitMessage = "plugin failed to exit gracefully"

	// rpcTimeout bounds every call so a misbehaving plugin fails a test instead of hanging it.
	rpcTimeout = 20 * time.Second
)

// pluginProcess is one running backend executable with the typed clients
// Grafana dispenses for it.
type pluginProcess struct {
	Data        grpcplugin.DataClient
	Diagnostics grpcplugin.DiagnosticsClient
	Resource    grpcplugin.ResourceClient
	Stream      grpcplugin.StreamClient

	// Handshake is the time from spawning the process to a dialled gRPC connection.
	Handshake time.Duration

	client  *plugin.Client
	cmd     *exec.Cmd
	stderr  *syncBuffer // the plugin's raw stderr, line by line
	hostLog *syncBuffer // go-plugin's own log (JSON), e.g. "plugin failed to exit gracefully"
	// connected: the handshake succeeded, so a graceful shutdown is owed.
	connected bool
	exit      *exitReport
}

// exitReport describes how the process ended after Kill().
type exitReport struct {
	KillDuration time.Duration
	ForcedKill   bool // go-plugin gave up waiting and sent SIGKILL
	Exited       bool // the process ended by itself (not by a signal)
	ExitCode     int
	Signal       string
	Hung         bool // Kill() itself did not return; the watchdog killed the process
}

// binaryPath returns the executable Grafana would start for this OS/arch.
func binaryPath(t testing.TB) string {
	t.Helper()
	path := os.Getenv(binaryEnv)
	if path == "" {
		name := fmt.Sprintf("%s_%s_%s", executableBase, strings.ToLower(runtime.GOOS), strings.ToLower(runtime.GOARCH))
		if runtime.GOOS == "windows" {
			name += ".exe"
		}
		path = filepath.Join("..", "..", "dist", name)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatalf("resolve %s: %v", path, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		t.Fatalf("backend executable not found at %s (%v).\n"+
			"Build it first: run `npm run build:backend` at the repository root, or point %s at an executable.",
			abs, err, binaryEnv)
	}
	if info.IsDir() || info.Mode().Perm()&0o111 == 0 {
		t.Fatalf("%s is not an executable file (mode %s); Grafana would fail with \"permission denied\"", abs, info.Mode())
	}
	return abs
}

// grafanaPluginSet is the plugin set Grafana registers for protocol version 2
// (pkg/plugins/backendplugin/grpcplugin in Grafana).
func grafanaPluginSet() map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		grpcplugin.ProtocolVersion: {
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
			"data":        &grpcplugin.DataGRPCPlugin{},
			"stream":      &grpcplugin.StreamGRPCPlugin{},
		},
	}
}

// launch starts the backend like Grafana does and registers a cleanup that
// shuts it down (asserting a graceful exit) and checks its stderr discipline.
func launch(t *testing.T) *pluginProcess {
	t.Helper()
	binary := binaryPath(t)

	p := &pluginProcess{stderr: &syncBuffer{}, hostLog: &syncBuffer{}}
	p.cmd = exec.Command(binary)
	guardAgainstOrphans(p.cmd)
	// Grafana does not set the working directory: the plugin runs in Grafana's
	// cwd, never its own folder. A fresh empty directory makes that explicit.
	p.cmd.Dir = t.TempDir()
	// Grafana's own variables come before the host environment (docs/grafana-plugin-protocol.md §1.2).
	p.cmd.Env = []string{"GF_VERSION=12.0.0-conformance", "GF_EDITION=Open Source"}

	p.client = plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,
			MagicCookieKey:   grpcplugin.MagicCookieKey,
			MagicCookieValue: grpcplugin.MagicCookieValue,
		},
		VersionedPlugins: grafanaPluginSet(),
		Cmd:              p.cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     2 * handshakeLimit,
		Stderr:           p.stderr,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       "conformance",
			Output:     p.hostLog,
			Level:      hclog.Debug,
			JSONFormat: true,
		}),
	})
	t.Cleanup(func() { p.cleanup(t) })

	started := time.Now()
	rpc, err := p.client.Client()
	p.Handshake = time.Since(started)
	if err != nil {
		t.Fatalf("handshake failed after %s: %v", p.Handshake, err)
	}
	p.connected = true
	t.Logf("handshake: %d ms", p.Handshake.Milliseconds())
	p.Data = dispense[grpcplugin.DataClient](t, rpc, "data")
	p.Diagnostics = dispense[grpcplugin.DiagnosticsClient](t, rpc, "diagnostics")
	p.Resource = dispense[grpcplugin.ResourceClient](t, rpc, "resource")
	p.Stream = dispense[grpcplugin.StreamClient](t, rpc, "stream")
	return p
}

// dispense fetches a client the way Grafana does: locally, by name, then a type assertion.
func dispense[C any](t *testing.T, rpc plugin.ClientProtocol, name string) C {
	t.Helper()
	raw, err := rpc.Dispense(name)
	if err != nil {
		t.Fatalf("dispense %q: %v", name, err)
	}
	c, ok := raw.(C)
	if !ok {
		t.Fatalf("dispense %q: got %T", name, raw)
	}
	return c
}

// stop runs Grafana's shutdown sequence (Shutdown RPC, wait up to 2 s, else
// SIGKILL) and reports how the process ended. Calling it twice is harmless.
func (p *pluginProcess) stop() exitReport {
	if p.exit != nil {
		return *p.exit
	}
	started := time.Now()
	hung := killWithWatchdog(p.client, p.cmd)
	report := exitReport{
		KillDuration: time.Since(started),
		ForcedKill:   strings.Contains(p.hostLog.String(), failedToExitMessage),
		Hung:         hung,
	}
	if state := p.cmd.ProcessState; state != nil {
		report.Exited = state.Exited()
		report.ExitCode = state.ExitCode()
		if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			report.Signal = ws.Signal().String()
		}
	}
	p.exit = &report
	return report
}

// killWatchdog bounds Kill(): go-plugin sends the Shutdown RPC without a
// deadline, so a plugin that accepts it and never answers would hang the suite
// (and Grafana's shutdown).
const killWatchdog = 10 * time.Second

// killWithWatchdog runs client.Kill() (returning once the process has been
// waited for) and SIGKILLs the process itself if Kill() hangs.
func killWithWatchdog(client *plugin.Client, cmd *exec.Cmd) (hung bool) {
	done := make(chan struct{})
	go func() {
		client.Kill()
		close(done)
	}()
	select {
	case <-done:
		return false
	case <-time.After(killWatchdog):
		_ = cmd.Process.Kill() // breaks the connection, so the Shutdown RPC and Kill() return
		<-done
		return true
	}
}

// assertGracefulExit checks what Grafana needs: the process ends by itself
// after the Shutdown RPC, before go-plugin's 2 s SIGKILL deadline.
func assertGracefulExit(t *testing.T, r exitReport) {
	t.Helper()
	if r.Hung {
		t.Errorf("Kill() did not return within %s: the plugin never answered the Shutdown RPC", killWatchdog)
	}
	if r.ForcedKill {
		t.Errorf("go-plugin logged %q: the process did not exit within %s of the Shutdown RPC and was SIGKILLed", failedToExitMessage, gracefulExitLimit)
	}
	if r.KillDuration >= gracefulExitLimit {
		t.Errorf("Kill() took %s, want < %s", r.KillDuration, gracefulExitLimit)
	}
	if !r.Exited || r.Signal != "" {
		t.Errorf("process did not exit by itself: exited=%v signal=%q exit code=%d", r.Exited, r.Signal, r.ExitCode)
	} else if r.ExitCode != 0 {
		t.Errorf("process exited with code %d, want 0 after an orderly shutdown", r.ExitCode)
	}
}

func (p *pluginProcess) cleanup(t *testing.T) {
	if p.exit == nil && p.cmd.Process != nil {
		report := p.stop()
		if p.connected {
			t.Logf("shutdown: Kill() took %d ms (exit code %d)", report.KillDuration.Milliseconds(), report.ExitCode)
			assertGracefulExit(t, report)
		}
	}
	checkStderrDiscipline(t, p.stderr.String())
	if stderr := p.stderr.String(); t.Failed() && stderr != "" {
		t.Logf("plugin stderr:\n%s", stderr)
	}
}

// checkStderrDiscipline enforces what go-plugin's host-side log parser needs:
// one JSON object per line with string "@level" (an hclog level) and string
// "@message"; "@timestamp", if present, in hclog's six-digit layout, or the
// host demotes the line to a raw debug message. Secrets must never be logged.
func checkStderrDiscipline(t *testing.T, stderr string) {
	t.Helper()
	if strings.Contains(stderr, secretKey) {
		t.Errorf("the data source's secret value appears in the plugin's stderr")
	}
	scanner := bufio.NewScanner(strings.NewReader(stderr))
	scanner.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; scanner.Scan(); n++ {
		line := scanner.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := checkLogLine(line); err != nil {
			t.Errorf("stderr line %d: %v: %s", n, err, truncate(string(line), 300))
		}
	}
}

func checkLogLine(line []byte) error {
	entry, err := decodeJSONObject(line)
	if err != nil {
		return fmt.Errorf("not a JSON object (%v)", err)
	}
	level, ok := entry["@level"].(string)
	if !ok {
		return errors.New(`"@level" missing or not a string`)
	}
	if hclog.LevelFromString(level) == hclog.NoLevel {
		return fmt.Errorf(`"@level" %q is not an hclog level`, level)
	}
	if _, ok := entry["@message"].(string); !ok {
		return errors.New(`"@message" missing or not a string`)
	}
	if raw, present := entry["@timestamp"]; present {
		ts, ok := raw.(string)
		if !ok {
			return errors.New(`"@timestamp" is not a string`)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000000Z07:00", ts); err != nil {
			return fmt.Errorf(`"@timestamp" %q does not match go-plugin's layout with six fractional digits`, ts)
		}
	}
	return nil
}

func decodeJSONObject(line []byte) (map[string]any, error) {
	var entry map[string]any
	err := json.Unmarshal(line, &entry)
	if err == nil && entry == nil {
		err = errors.New("null")
	}
	return entry, err
}

// rpcContext bounds one call; the cancel runs at test end.
func rpcContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
	t.Cleanup(cancel)
	return ctx
}

// syncBuffer is a bytes.Buffer safe for go-plugin's writer goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
