package conformance

// Process lifecycle: handshake, logging discipline, graceful shutdown.

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-plugin"
)

// TestLifecycle exercises the plugin's life as Grafana sees it: start and
// handshake, some traffic that carries the secret, then Kill() — the
// Shutdown RPC after which the process must exit by itself.
func TestLifecycle(t *testing.T) {
	p := launch(t)
	if p.Handshake >= handshakeLimit {
		t.Errorf("handshake took %s, want < %s (target < 1 s)", p.Handshake, handshakeLimit)
	}
	if v := p.client.NegotiatedVersion(); v != grpcplugin.ProtocolVersion {
		t.Errorf("negotiated protocol version %d, want %d", v, grpcplugin.ProtocolVersion)
	}
	if proto := p.client.Protocol(); proto != plugin.ProtocolGRPC {
		t.Errorf("protocol %q, want %q", proto, plugin.ProtocolGRPC)
	}

	// Traffic that gives the plugin every chance to log the secret: a bad
	// query, a failing health check, an unknown resource.
	tr := queryRange(queryNow())
	if _, err := p.Data.QueryData(rpcContext(t), backend.ToProto().QueryDataRequest(queryDataRequest(t, queryCases, tr))); err != nil {
		t.Errorf("QueryData: %v", err)
	}
	if _, err := p.Diagnostics.CheckHealth(rpcContext(t), &pluginv2.CheckHealthRequest{
		PluginContext: backend.ToProto().PluginContext(pluginContext(missingTableSettings)),
	}); err != nil {
		t.Errorf("CheckHealth: %v", err)
	}
	callResource(t, p, "GET", unknownResourcePath)
	if p.client.Exited() {
		t.Fatalf("the plugin exited before Kill()")
	}

	report := p.stop()
	t.Logf("shutdown: Kill() took %d ms (limit %d ms); exited=%v code=%d signal=%q",
		report.KillDuration.Milliseconds(), gracefulExitLimit.Milliseconds(), report.Exited, report.ExitCode, report.Signal)
	assertGracefulExit(t, report)
	if !p.client.Exited() {
		t.Errorf("go-plugin does not see the process as exited")
	}

	// Stderr is complete now; the cleanup checks every line, this checks there is something to check.
	lines := strings.Count(strings.TrimSpace(p.stderr.String()), "\n") + 1
	if strings.TrimSpace(p.stderr.String()) == "" {
		t.Errorf("the plugin wrote nothing to stderr; Grafana's log would show no trace of it")
	} else {
		t.Logf("stderr: %d line(s), first: %s", lines, truncate(strings.SplitN(p.stderr.String(), "\n", 2)[0], 200))
	}
}

// TestSIGTERMAfterHostVanishes: when Grafana dies, the plugin's stdout and
// stderr pipes lose their reader, and its next log line fails with EPIPE.
// The plugin must still end promptly on SIGTERM (what a service manager sends
// next) instead of being left running. Stderr loses its reader before the
// first log line so that the failing write happens on every run.
func TestSIGTERMAfterHostVanishes(t *testing.T) {
	cmd := exec.Command(binaryPath(t))
	guardAgainstOrphans(cmd)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), grpcplugin.MagicCookieKey+"="+grpcplugin.MagicCookieValue, "PLUGIN_PROTOCOL_VERSIONS=2")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = stderr.Close()

	handshake := make(chan string, 1)
	exited := make(chan struct{}) // closed once the process has been waited for
	var waitErr error
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		handshake <- line
		waitErr = cmd.Wait() // after the read: Wait closes the pipe
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	select {
	case line := <-handshake:
		t.Logf("handshake line: %q", strings.TrimSpace(line))
	case <-time.After(handshakeLimit):
		t.Fatalf("no handshake line within %s", handshakeLimit)
	}
	_ = stdout.Close()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		t.Logf("exited after SIGTERM: %v", waitErr)
	case <-time.After(gracefulExitLimit):
		t.Errorf("still running %s after SIGTERM once the reader of its stdout/stderr was gone", gracefulExitLimit)
	}
}
