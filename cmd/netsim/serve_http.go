package main

import (
	"embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"netsim/plots"
)

// The page's templates, style and script are embedded: netsim serve has no build step
// and reads no file of its own at run time.
//
//go:embed serve
var serveFiles embed.FS

var pageTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"num": func(f float64) string { return strconv.FormatFloat(f, 'g', 4, 64) },
	"ext": filepath.Ext,
}).ParseFS(serveFiles, "serve/*.html"))

// serveMux routes the page's requests. Every path names a scenario from the start
// page's list or a campaign by its number; none names a file.
type serveMux struct {
	*http.ServeMux
	s *server
}

func newServeMux(s *server) *serveMux {
	m := &serveMux{http.NewServeMux(), s}
	static, _ := fs.Sub(serveFiles, "serve/static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /{$}", m.index)
	m.HandleFunc("GET /s/{name}", m.form)
	m.HandleFunc("POST /s/{name}", m.submit)
	m.HandleFunc("GET /job/{id}", m.job)
	m.HandleFunc("GET /job/{id}/events", m.events)
	m.HandleFunc("POST /job/{id}/cancel", m.cancel)
	m.HandleFunc("GET /job/{id}/files/{file}", m.file)
	m.HandleFunc("GET /job/{id}/scenario.yaml", m.scenarioFile)
	m.HandleFunc("GET /job/{id}/compare/{figure}", m.compare)
	m.HandleFunc("GET /status", m.status)
	return m
}

// pageLimits are the server's limits as the pages state them.
type pageLimits struct{ MaxRuns, MaxCampaigns, MaxQueue int }

func (s *server) limits() pageLimits {
	return pageLimits{s.opts.maxRuns, s.opts.maxCampaigns, s.opts.maxQueue}
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (m *serveMux) render(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := pageTemplates.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "netsim serve: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, b.String())
}

func (m *serveMux) notFound(w http.ResponseWriter, what string) {
	m.render(w, http.StatusNotFound, "message.html", map[string]any{"Title": "Not found", "Message": what})
}

type indexPage struct {
	Scenarios     []entry
	Jobs          []jobView
	Limits        pageLimits
	Running, Wait int
}

func (m *serveMux) index(w http.ResponseWriter, r *http.Request) {
	page := indexPage{Scenarios: m.s.scenarioList(), Limits: m.s.limits()}
	m.s.mu.Lock()
	jobs := slices.Clone(m.s.order)
	page.Running, page.Wait = m.s.running, len(m.s.queue)
	m.s.mu.Unlock()
	for i := len(jobs) - 1; i >= 0; i-- {
		page.Jobs = append(page.Jobs, m.s.view(jobs[i]))
	}
	m.render(w, http.StatusOK, "index.html", page)
}

type formPage struct {
	Name, Description string
	Fields            []formField
	Values            map[string]string // what the form shows, by key
	Errors            map[string]string // beside a field, by key
	Error             string            // above the form
	Runs              int
	Limits            pageLimits
}

func (m *serveMux) form(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	sc, ok, err := m.s.load(name)
	if !ok {
		m.notFound(w, fmt.Sprintf("There is no scenario %q here.", name))
		return
	}
	page := formPage{Name: name, Limits: m.s.limits(), Values: map[string]string{}, Errors: map[string]string{}}
	if err != nil {
		page.Error = err.Error()
		m.render(w, http.StatusOK, "form.html", page)
		return
	}
	page.Description, page.Fields, page.Runs = sc.Description(), m.s.eng.Form(sc), sc.Runs()
	for _, f := range page.Fields {
		page.Values[f.Key] = f.Value
	}
	m.render(w, http.StatusOK, "form.html", page)
}

// maxFormBytes bounds a submitted form: a scenario's parameters are a few hundred bytes.
const maxFormBytes = 64 << 10

func (m *serveMux) submit(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	sc, ok, err := m.s.load(name)
	if !ok {
		m.notFound(w, fmt.Sprintf("There is no scenario %q here.", name))
		return
	}
	if err != nil {
		m.render(w, http.StatusUnprocessableEntity, "form.html", formPage{Name: name, Error: err.Error(), Limits: m.s.limits()})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "netsim serve: the form: "+err.Error(), http.StatusBadRequest)
		return
	}
	page := formPage{Name: name, Description: sc.Description(), Fields: m.s.eng.Form(sc), Limits: m.s.limits(),
		Values: map[string]string{}, Errors: map[string]string{}}
	// A field the user left as it was is not set: the file's own value, a sweep
	// included, stays, so the resolved scenario says only what the form changed.
	var sets, keys []string
	for _, f := range page.Fields {
		page.Values[f.Key] = f.Value
		v, ok := r.PostForm["p."+f.Key]
		if !ok {
			continue
		}
		text := strings.TrimSpace(v[0])
		page.Values[f.Key] = text
		if text != f.Value {
			sets, keys = append(sets, f.Key+"="+text), append(keys, f.Key)
		}
	}
	if err := sc.Set(sets...); err != nil {
		// Each change is tried alone to put its message beside its field; what only the
		// changes together break goes above the form.
		for i, kv := range sets {
			alone, _, lerr := m.s.load(name)
			if lerr != nil {
				continue
			}
			if err := alone.Set(kv); err != nil {
				page.Errors[keys[i]] = err.Error()
			}
		}
		if len(page.Errors) == 0 {
			page.Error = err.Error()
		}
		page.Runs = sc.Runs()
		m.render(w, http.StatusUnprocessableEntity, "form.html", page)
		return
	}
	page.Runs = sc.Runs()
	if sc.Runs() > m.s.opts.maxRuns {
		page.Error = fmt.Sprintf("this campaign has %d runs (sweep points × replications); this server runs at most %d: sweep fewer values or lower replications", sc.Runs(), m.s.opts.maxRuns)
		m.render(w, http.StatusUnprocessableEntity, "form.html", page)
		return
	}
	j, err := m.s.submit(name, sets, sc)
	if errors.Is(err, errBusy) {
		page.Error = fmt.Sprintf("the server is busy: %d campaigns running and %d waiting, the most it takes; try again when one has finished", m.s.opts.maxCampaigns, m.s.opts.maxQueue)
		m.render(w, http.StatusServiceUnavailable, "form.html", page)
		return
	}
	if err != nil {
		page.Error = err.Error()
		m.render(w, http.StatusUnprocessableEntity, "form.html", page)
		return
	}
	http.Redirect(w, r, "/job/"+j.id, http.StatusSeeOther)
}

// lookupJob finds the campaign a request names, and notes that its page is open.
func (m *serveMux) lookupJob(w http.ResponseWriter, r *http.Request) *job {
	m.s.mu.Lock()
	j := m.s.jobs[r.PathValue("id")]
	if j != nil {
		j.lastSeen = m.s.now()
	}
	m.s.mu.Unlock()
	if j == nil {
		m.notFound(w, fmt.Sprintf("There is no campaign %q here (results are kept for the last %d).", r.PathValue("id"), m.s.opts.maxKept))
	}
	return j
}

func (m *serveMux) job(w http.ResponseWriter, r *http.Request) {
	if j := m.lookupJob(w, r); j != nil {
		m.render(w, http.StatusOK, "job.html", m.s.view(j))
	}
}

// progressEvent is what the page's script shows while a campaign runs.
type progressEvent struct {
	State      string  `json:"state"`
	Done       int     `json:"done"`
	Total      int     `json:"total"`
	RunsPerSec float64 `json:"runs_per_s"`
	Left       string  `json:"left"`
	Ahead      int     `json:"ahead"`
}

// events streams a campaign's progress as server-sent events until it finishes or the
// page goes away. While the stream is open the page counts as open.
func (m *serveMux) events(w http.ResponseWriter, r *http.Request) {
	j := m.lookupJob(w, r)
	if j == nil {
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "netsim serve: streaming unsupported", http.StatusInternalServerError)
		return
	}
	m.s.mu.Lock()
	j.watchers++
	m.s.mu.Unlock()
	defer func() {
		m.s.mu.Lock()
		j.watchers--
		j.lastSeen = m.s.now()
		m.s.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	t := time.NewTicker(m.s.opts.tick)
	defer t.Stop()
	for {
		v := m.s.view(j)
		data, _ := json.Marshal(progressEvent{v.State, v.Done, v.Runs, v.RunsPerSec, v.Left, v.Ahead})
		event := "progress"
		if v.Finished {
			event = "done"
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
			return
		}
		flusher.Flush()
		if v.Finished {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-m.s.stop:
			return
		case <-t.C:
		}
	}
}

func (m *serveMux) cancel(w http.ResponseWriter, r *http.Request) {
	if j := m.lookupJob(w, r); j != nil {
		m.s.cancelJob(j, "cancelled by its Cancel button")
		http.Redirect(w, r, "/job/"+j.id, http.StatusSeeOther)
	}
}

// file serves one file of a campaign's output folder, by a name from its listing.
func (m *serveMux) file(w http.ResponseWriter, r *http.Request) {
	j := m.lookupJob(w, r)
	if j == nil {
		return
	}
	v := m.s.view(j)
	name := r.PathValue("file")
	if !slices.Contains(v.Files, name) {
		m.notFound(w, fmt.Sprintf("Campaign %s has no file %q.", j.id, name))
		return
	}
	f, err := os.Open(filepath.Join(j.dir, name))
	if err != nil {
		m.notFound(w, err.Error())
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		m.notFound(w, err.Error())
		return
	}
	if filepath.Ext(name) != ".svg" && filepath.Ext(name) != ".png" {
		w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", name))
	}
	http.ServeContent(w, r, name, fi.ModTime(), f)
}

// scenarioFile serves the resolved scenario: the file that gives the same results with
// netsim run.
func (m *serveMux) scenarioFile(w http.ResponseWriter, r *http.Request) {
	j := m.lookupJob(w, r)
	if j == nil {
		return
	}
	w.Header().Set("Content-Type", "text/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", j.scenario+"-"+j.id+".yaml"))
	w.Write(j.resolved)
}

// compare draws a figure of this campaign over the same figure of the scenario's
// previous result, from the two figures' data files.
func (m *serveMux) compare(w http.ResponseWriter, r *http.Request) {
	j := m.lookupJob(w, r)
	if j == nil {
		return
	}
	v := m.s.view(j)
	name := strings.TrimSuffix(r.PathValue("figure"), ".svg")
	i := slices.IndexFunc(v.Compare, func(f figureInfo) bool { return f.Name == name })
	if i < 0 {
		m.notFound(w, fmt.Sprintf("Campaign %s has no figure %q to compare.", j.id, name))
		return
	}
	info := v.Compare[i]
	fig := plots.Figure{Title: info.Title + " — this run and the previous one", XLabel: info.XLabel, YLabel: info.YLabel, XLog: info.XLog, YLog: info.YLog}
	m.s.mu.Lock()
	prevDir := j.prev.dir
	m.s.mu.Unlock()
	for _, part := range []struct{ dir, label string }{{j.dir, "this run"}, {prevDir, "previous"}} {
		if err := addFigureData(&fig, filepath.Join(part.dir, name+".csv"), part.label); err != nil {
			http.Error(w, "netsim serve: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	if err := plots.Encode(w, fig, "svg"); err != nil {
		http.Error(w, "netsim serve: "+err.Error(), http.StatusInternalServerError)
	}
}

// addFigureData adds the series, lines and curves of a figure's data file (plots.WriteCSV)
// to fig, their labels prefixed with which result they are.
func addFigureData(fig *plots.Figure, path, prefix string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], plots.CSVHeader) {
		return fmt.Errorf("%s: not a figure's data file", path)
	}
	num := func(s string) float64 {
		x, _ := strconv.ParseFloat(s, 64)
		return x
	}
	points, lines, curves := map[string]int{}, map[string]int{}, map[string]int{}
	for _, row := range rows[1:] {
		label := prefix + ": " + row[1]
		x, y := num(row[2]), num(row[3])
		switch row[0] {
		case "sim":
			s := figureEntry(points, &fig.Points, label, func() plots.Series { return plots.Series{Label: label} })
			s.X, s.Y = append(s.X, x), append(s.Y, y)
			if row[4] != "" {
				s.YLo, s.YHi = append(s.YLo, num(row[4])), append(s.YHi, num(row[5]))
			}
		case "line":
			l := figureEntry(lines, &fig.Lines, label, func() plots.Line { return plots.Line{Label: label} })
			l.X, l.Y = append(l.X, x), append(l.Y, y)
		case "theory":
			c := figureEntry(curves, &fig.Curves, label, func() plots.Curve { return plots.Curve{Label: label} })
			c.X, c.Y = append(c.X, x), append(c.Y, y)
		}
	}
	// An interval is drawn only if every point of a series has one.
	for i := range fig.Points {
		if s := &fig.Points[i]; len(s.YLo) != len(s.X) {
			s.YLo, s.YHi = nil, nil
		}
	}
	return nil
}

// figureEntry is the element of list that label names in index, appended (made by mk) if
// there is none yet.
func figureEntry[T any](index map[string]int, list *[]T, label string, mk func() T) *T {
	i, ok := index[label]
	if !ok {
		i = len(*list)
		index[label] = i
		*list = append(*list, mk())
	}
	return &(*list)[i]
}

// status says how busy the server is, for scripts and tests.
func (m *serveMux) status(w http.ResponseWriter, r *http.Request) {
	m.s.mu.Lock()
	st := map[string]int{"running": m.s.running, "queued": len(m.s.queue), "kept": len(m.s.order)}
	m.s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(st)
}
