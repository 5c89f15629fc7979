package plots

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Save writes fig as basePath+".csv" (the data, see WriteCSV), basePath+".png" and
// basePath+".svg". Each file is written atomically: to a temporary file in the same
// folder, then renamed, so a reader never sees half a figure and an interrupted save
// leaves the previous version in place. The folder must exist. Save returns an error,
// and writes nothing, if fig is not valid (see Figure.Validate).
func Save(fig Figure, basePath string) error {
	if err := fig.Validate(); err != nil {
		return err
	}
	var csvBuf bytes.Buffer
	if err := WriteCSV(&csvBuf, fig); err != nil {
		return err
	}
	pngBuf, err := encode(fig, "png")
	if err != nil {
		return err
	}
	svgBuf, err := encode(fig, "svg")
	if err != nil {
		return err
	}
	for _, f := range []struct {
		ext  string
		data []byte
	}{{".csv", csvBuf.Bytes()}, {".png", pngBuf}, {".svg", svgBuf}} {
		if err := writeFileAtomic(basePath+f.ext, f.data); err != nil {
			return err
		}
	}
	return nil
}

// Encode draws fig in format "png" or "svg" and writes it to w.
func Encode(w io.Writer, fig Figure, format string) error {
	if err := fig.Validate(); err != nil {
		return err
	}
	b, err := encode(fig, format)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func encode(fig Figure, format string) (_ []byte, err error) {
	// gonum/plot panics on some inputs it does not expect; a figure that cannot be drawn
	// is reported as an error, never as a crash of the caller.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plots: drawing %q: %v", fig.Title, r)
		}
	}()
	r, err := render(fig)
	if err != nil {
		return nil, fmt.Errorf("plots: %q: %w", fig.Title, err)
	}
	var wt io.WriterTo
	switch format {
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(PNGDPI))
		r.Draw(draw.New(c))
		wt = vgimg.PngCanvas{Canvas: c}
	case "svg":
		c := vgsvg.New(Width, Height)
		r.Draw(draw.New(c))
		wt = c
	default:
		return nil, fmt.Errorf("plots: unknown format %q (want png or svg)", format)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it to path.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
			err = fmt.Errorf("plots: writing %s: %w", path, err)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
