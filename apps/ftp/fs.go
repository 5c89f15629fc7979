package ftp

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// FS is a server's file tree: directories, and files known by their size (their
// contents are not modelled). It is the server's disk, so it survives crashes: a
// kind keeps one per server and hands it to each boot.
type FS struct {
	files map[string]int64 // absolute, clean path → size in bytes
	dirs  map[string]bool  // absolute, clean paths; "/" always
}

// NewFS returns a tree holding only the root directory.
func NewFS() *FS {
	return &FS{files: map[string]int64{}, dirs: map[string]bool{"/": true}}
}

// Put stores a file of sizeBytes at the absolute path p, making its directories.
func (fs *FS) Put(p string, sizeBytes int64) {
	p = path.Clean("/" + p)
	fs.Mkdir(path.Dir(p))
	fs.files[p] = sizeBytes
}

// Mkdir makes the directory p and its parents.
func (fs *FS) Mkdir(p string) {
	for p = path.Clean("/" + p); !fs.dirs[p]; p = path.Dir(p) {
		fs.dirs[p] = true
	}
}

// Size returns the size of the file at p.
func (fs *FS) Size(p string) (int64, bool) {
	n, ok := fs.files[path.Clean("/"+p)]
	return n, ok
}

// IsDir reports whether p is a directory.
func (fs *FS) IsDir(p string) bool { return fs.dirs[path.Clean("/"+p)] }

// Bytes is the total size of the files.
func (fs *FS) Bytes() int64 {
	var n int64
	for _, s := range fs.files {
		n += s
	}
	return n
}

// entry is one name in a directory.
type entry struct {
	name  string
	dir   bool
	bytes int64
}

// entries lists directory dir, sorted by name.
func (fs *FS) entries(dir string) []entry {
	var out []entry
	for p, n := range fs.files {
		if path.Dir(p) == dir {
			out = append(out, entry{name: path.Base(p), bytes: n})
		}
	}
	for p := range fs.dirs {
		if p != "/" && path.Dir(p) == dir {
			out = append(out, entry{name: path.Base(p), dir: true, bytes: 4096})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// Listing is what LIST sends for the directory dir (or the one file dir names): the
// text of `ls -l`, as Unix servers send it (RFC 959 leaves the format to the server),
// one CRLF-ended line per entry. Its length is the listing's true size.
func (fs *FS) Listing(dir string) string {
	dir = path.Clean("/" + dir)
	var es []entry
	if n, ok := fs.files[dir]; ok {
		es = []entry{{name: path.Base(dir), bytes: n}}
	} else {
		es = fs.entries(dir)
	}
	var b strings.Builder
	for _, e := range es {
		mode, links := "-rw-r--r--", 1
		if e.dir {
			mode, links = "drwxr-xr-x", 2
		}
		// The date is fixed: the model keeps no file times, and a fixed one keeps the
		// listing's size a pure function of the tree.
		fmt.Fprintf(&b, "%s %d ftp ftp %12d Jan 01 00:00 %s\r\n", mode, links, e.bytes, e.name)
	}
	return b.String()
}
