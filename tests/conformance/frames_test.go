package conformance

// Checks on decoded data frames, shared by the Data and Stream tests.

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

var arrowMagic = []byte("ARROW1")

// checkArrowContainer: each frame must be a complete Arrow IPC *file*; the
// stream format (which starts FF FF FF FF) is rejected by Grafana's decoder.
func checkArrowContainer(raw []byte) error {
	if !bytes.HasPrefix(raw, arrowMagic) || !bytes.HasSuffix(raw, arrowMagic) {
		head := raw[:min(len(raw), 8)]
		return fmt.Errorf("not an Arrow IPC file (%d bytes, starts % x): the file must begin and end with %q", len(raw), head, arrowMagic)
	}
	return nil
}

// matchFrames pairs expected and decoded frames: by name when the specs name
// their frames, otherwise by position. Count mismatches are errors.
func matchFrames(frames data.Frames, specs []frameSpec) ([]*data.Frame, error) {
	if len(frames) != len(specs) {
		return nil, fmt.Errorf("got %d frames %q, want %d", len(frames), frameNames(frames), len(specs))
	}
	if len(specs) == 0 || specs[0].Name == "" {
		return frames, nil
	}
	byName := map[string][]*data.Frame{}
	for _, f := range frames {
		byName[f.Name] = append(byName[f.Name], f)
	}
	matched := make([]*data.Frame, len(specs))
	for i, spec := range specs {
		if n := len(byName[spec.Name]); n != 1 {
			return nil, fmt.Errorf("want exactly one frame named %q, got %d (frames: %q)", spec.Name, n, frameNames(frames))
		}
		matched[i] = byName[spec.Name][0]
	}
	return matched, nil
}

func frameNames(frames data.Frames) []string {
	names := make([]string, len(frames))
	for i, f := range frames {
		names[i] = f.Name
	}
	return names
}

// checkFrameSpec returns every way the frame differs from its spec.
func checkFrameSpec(f *data.Frame, want frameSpec) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if want.Name != "" && f.Name != want.Name {
		add("name %q, want %q", f.Name, want.Name)
	}
	if want.Fields != nil {
		problems = append(problems, checkFieldSpecs(f, want.Fields)...)
	}
	if want.Type != "" {
		switch {
		case f.Meta == nil:
			add("meta missing, want type %q", want.Type)
		case f.Meta.Type != want.Type:
			add("meta.type %q, want %q", f.Meta.Type, want.Type)
		case f.Meta.TypeVersion != want.TypeVersion:
			add("meta.typeVersion %v, want %v", f.Meta.TypeVersion, want.TypeVersion)
		}
	}
	if want.Channel != "" {
		if f.Meta == nil || f.Meta.Channel != want.Channel {
			got := ""
			if f.Meta != nil {
				got = f.Meta.Channel
			}
			add("meta.channel %q, want %q", got, want.Channel)
		}
	}
	if want.ChannelPrefix != "" {
		got := ""
		if f.Meta != nil {
			got = f.Meta.Channel
		}
		if !strings.HasPrefix(got, want.ChannelPrefix) || len(got) == len(want.ChannelPrefix) {
			add("meta.channel %q, want %q followed by a path", got, want.ChannelPrefix)
		}
	}
	if want.SchemaType != nil {
		if got := f.TimeSeriesSchema().Type; got != *want.SchemaType {
			add("TimeSeriesSchema().Type %s, want %s", got, *want.SchemaType)
		}
	}
	return problems
}

func checkFieldSpecs(f *data.Frame, want []fieldSpec) []string {
	if len(f.Fields) != len(want) {
		return []string{fmt.Sprintf("fields %s, want %s", describeFields(f.Fields), describeSpecs(want))}
	}
	var problems []string
	for i, spec := range want {
		field := f.Fields[i]
		if field.Name != spec.Name || field.Type() != spec.Type {
			problems = append(problems, fmt.Sprintf("field %d is %s %s, want %s %s", i, field.Name, field.Type(), spec.Name, spec.Type))
		}
		if spec.Labels != nil && !field.Labels.Equals(spec.Labels) {
			problems = append(problems, fmt.Sprintf("field %s labels %v, want %v", field.Name, field.Labels, spec.Labels))
		}
	}
	return problems
}

func describeFields(fields []*data.Field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Name + ":" + f.Type().String()
	}
	return fmt.Sprint(parts)
}

func describeSpecs(specs []fieldSpec) string {
	parts := make([]string, len(specs))
	for i, s := range specs {
		parts[i] = s.Name + ":" + s.Type.String()
	}
	return fmt.Sprint(parts)
}

// checkTimeSeriesRows: all fields of equal length > 0; the first time field
// non-null and ascending; with a range, every time inside it.
func checkTimeSeriesRows(f *data.Frame, within *backend.TimeRange) []string {
	rows, err := f.RowLen()
	if err != nil {
		return []string{err.Error()}
	}
	if rows == 0 {
		return []string{"frame has no rows"}
	}
	times, err := timeValues(f)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for i, ts := range times {
		if i > 0 && ts.Before(times[i-1]) {
			problems = append(problems, fmt.Sprintf("time not ascending at row %d: %s after %s", i, ts, times[i-1]))
			break
		}
	}
	if within != nil {
		for i, ts := range times {
			if ts.Before(within.From) || ts.After(within.To) {
				problems = append(problems, fmt.Sprintf("time %s at row %d outside the requested range [%s, %s]",
					ts.Format(time.RFC3339Nano), i, within.From.Format(time.RFC3339Nano), within.To.Format(time.RFC3339Nano)))
				break
			}
		}
	}
	return problems
}

// timeValues returns the first time field's values; nulls are an error.
func timeValues(f *data.Frame) ([]time.Time, error) {
	indices := f.TypeIndices(data.FieldTypeTime, data.FieldTypeNullableTime)
	if len(indices) == 0 {
		return nil, fmt.Errorf("no time field (fields %s)", describeFields(f.Fields))
	}
	field := f.Fields[indices[0]]
	times := make([]time.Time, field.Len())
	for i := range times {
		v, ok := field.ConcreteAt(i)
		if !ok {
			return nil, fmt.Errorf("time field %q is null at row %d", field.Name, i)
		}
		times[i] = v.(time.Time)
	}
	return times, nil
}

// plausibleEpoch: Grafana's decoder reads every Arrow timestamp as
// nanoseconds, so a time column written in milliseconds lands in January 1970.
var plausibleEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// checkTimeUnits flags time values that can only come from a wrong unit.
func checkTimeUnits(f *data.Frame) []string {
	var problems []string
	for _, field := range f.Fields {
		if !field.Type().Time() {
			continue
		}
		for i := range field.Len() {
			if v, ok := field.ConcreteAt(i); ok && v.(time.Time).Before(plausibleEpoch) {
				problems = append(problems, fmt.Sprintf("time field %q row %d is %s: written in a unit other than nanoseconds?",
					field.Name, i, v.(time.Time).Format(time.RFC3339Nano)))
				break
			}
		}
	}
	return problems
}

// checkUniqueSeries: no two numeric fields of a response may share name and
// labels, or Grafana's expressions cannot tell the series apart.
func checkUniqueSeries(frames data.Frames) []string {
	var problems []string
	seen := map[string]string{}
	for _, f := range frames {
		for _, field := range f.Fields {
			if !field.Type().Numeric() {
				continue
			}
			id := field.Name + field.Labels.String()
			if other, dup := seen[id]; dup {
				problems = append(problems, fmt.Sprintf("series %s appears in frame %q and frame %q", id, other, f.Name))
			}
			seen[id] = f.Name
		}
	}
	return problems
}
