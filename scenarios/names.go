package scenarios

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// Names a file gives become the names of folders and files: a scenario's name: the
// default output folder out/<name>, a plot's name the files <name>.png, .svg and .csv
// in it. They pass through CheckFileName, and are joined to a folder only by JoinName,
// so that no name can lead outside the output folder (../x, /etc, ..), hide a file
// (.x), or overwrite one of the campaign's own files (a plot named runs would write
// runs.csv).

// fileNamePattern is what a name may be: letters, digits, '.', '_' and '-', starting
// with a letter or digit. That leaves out every path separator, "..", a leading dot or
// dash, spaces and control characters, and every character some file system refuses.
var fileNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// maxNameBytes is the longest name: with ".svg" or "-shard-100-of-100" after it, a
// name stays far below the 255 bytes of a file name on every common file system.
const maxNameBytes = 100

// ReservedNames are the base names of the files a campaign writes itself (runs.csv,
// runs.jsonl, summary.csv, samples.csv, series.csv, manifest.json), which no plot or
// scenario may take. They are compared without case, as macOS and Windows file
// systems compare names.
var ReservedNames = []string{"runs", "summary", "samples", "series", "manifest"}

// CheckFileName says why name cannot name a file or folder of an output folder, or
// returns nil.
func CheckFileName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty: a name becomes a file or folder name")
	case len(name) > maxNameBytes:
		return fmt.Errorf("%d bytes long: a name becomes a file or folder name, of at most %d bytes", len(name), maxNameBytes)
	case !fileNamePattern.MatchString(name):
		return fmt.Errorf("%q is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit", name)
	}
	for _, r := range ReservedNames {
		if strings.EqualFold(name, r) {
			return fmt.Errorf("%q is reserved: the campaign writes %s itself (reserved: %s)", name, reservedFile(r), strings.Join(ReservedNames, ", "))
		}
	}
	return nil
}

func reservedFile(stem string) string {
	switch stem {
	case "runs":
		return "runs.csv and runs.jsonl"
	case "manifest":
		return "manifest.json"
	}
	return stem + ".csv"
}

// JoinName returns the path of the file or folder name in dir, after CheckFileName:
// the only way a name from a scenario becomes a path.
func JoinName(dir, name string) (string, error) {
	if err := CheckFileName(name); err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// nameFromFile is the name of a scenario whose file gives none: the file's base name
// without its extension, if that is a valid name.
func nameFromFile(filename string) string {
	base := filepath.Base(filename)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	if CheckFileName(base) != nil {
		return ""
	}
	return base
}
