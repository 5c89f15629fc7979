package main

import (
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's Slurm section is the exact script netsim slurm prints (issue 16's
// fourth acceptance item); .ci/slurm submits that script to a real cluster.
func TestSlurmScriptInREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- netsim slurm filedist --tasks 8 -->\n```bash\n"
	_, block, ok := strings.Cut(string(readme), marker)
	block, _, closed := strings.Cut(block, "\n```\n")
	if !ok || !closed {
		t.Fatalf("README.md has no block after %q", marker)
	}
	code, stdout, stderr := exec(t, backend{}, "slurm", "filedist", "--tasks", "8")
	if code != 0 || stderr != "" || stdout != block+"\n" {
		t.Errorf("exit %d, stderr %q; netsim slurm filedist --tasks 8 prints:\n%s\nthe README shows:\n%s", code, stderr, stdout, block)
	}
}

// shim writes an executable script name into dir that appends its arguments, one per
// line, and then its standard input, to dir/name.log.
func shim(t *testing.T, dir, name string) {
	t.Helper()
	text := "#!/bin/bash\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >>\"$0.log\"\n[ -t 0 ] || cat >>\"$0.log\"\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
}

// The script's commands, run by bash as Slurm would run task 2 and then task 1 (the
// array's first, which submits the merge), with netsim and sbatch replaced by shims that
// log their arguments: every word arrives whole, however the folder and the overrides
// are spelled, and the merge's glob finds the shards' folders.
func TestSlurmScriptCommands(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cs.yaml")
	writeFile(t, file, goodScenario)
	out := filepath.Join(dir, `it's "a" $dir`)
	code, script, stderr := exec(t, backend{}, "slurm", file, "--tasks", "3", "-o", out, "--set", "peers=[2, 3]", "--seed", "5")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, line := range []string{"#SBATCH --job-name=netsim-cs\n", "#SBATCH --array=1-3\n", "#SBATCH --output=netsim-cs-%A_%a.out\n",
		"#   netsim slurm " + file + " --set 'peers=[2, 3]' --seed 5 --tasks 3 -o '" + strings.ReplaceAll(out, "'", `'\''`) + "'\n"} {
		if !strings.Contains(script, line) {
			t.Errorf("no line %q in the script:\n%s", line, script)
		}
	}
	bin := t.TempDir()
	shim(t, bin, "netsim")
	shim(t, bin, "sbatch")
	runTask := func(task string) {
		t.Helper()
		cmd := osexec.Command("bash", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "SLURM_ARRAY_TASK_ID="+task, "SLURM_ARRAY_TASK_MIN=1",
			"SLURM_ARRAY_JOB_ID=41", "SLURM_CPUS_PER_TASK=1")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("task %s: %v: %s", task, err, msg)
		}
	}
	runTask("2")
	if _, err := os.Stat(filepath.Join(bin, "sbatch.log")); !os.IsNotExist(err) {
		t.Error("task 2, not the array's first, submitted a merge")
	}
	runTask("1")
	wantRuns := "run\n" + file + "\n--set\npeers=[2, 3]\n--seed\n5\n--shard\n2/3\n-o\n" + out + "/shard-2-of-3\n-j\n1\n-q\n" +
		"run\n" + file + "\n--set\npeers=[2, 3]\n--seed\n5\n--shard\n1/3\n-o\n" + out + "/shard-1-of-3\n-j\n1\n-q\n"
	if got := readLog(t, bin, "netsim"); got != wantRuns {
		t.Errorf("the tasks ran netsim with:\n%s\nwant:\n%s", got, wantRuns)
	}
	sbatch := readLog(t, bin, "sbatch")
	wantHead := "--job-name=netsim-cs-merge\n--dependency=afterok:41\n--output=netsim-cs-merge-%j.out\n#!/bin/bash\n"
	head, merge, ok := strings.Cut(sbatch, "#!/bin/bash\n")
	if !ok || head+"#!/bin/bash\n" != wantHead {
		t.Fatalf("task 1 submitted:\n%s\nwant it to begin with:\n%s", sbatch, wantHead)
	}

	// The merge job's script, with two shards' folders made.
	for _, k := range []string{"1", "2"} {
		if err := os.MkdirAll(filepath.Join(out, "shard-"+k+"-of-3"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(bin, "netsim.log"))
	cmd := osexec.Command("bash", "-c", merge)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("merge job: %v: %s", err, msg)
	}
	if got, want := readLog(t, bin, "netsim"), "merge\n-o\n"+out+"\n"+out+"/shard-1-of-3\n"+out+"/shard-2-of-3\n"; got != want {
		t.Errorf("the merge job ran netsim with:\n%s\nwant:\n%s", got, want)
	}
}

func readLog(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The array's size: 8 by default, the number of runs if fewer, and no more tasks than
// runs; a folder a shell would split is quoted, a name with characters a job name
// cannot hold is made safe (a scenario's name cannot have them: CheckFileName), and a
// line break, which would end a line of the script, is refused.
func TestSlurmTasks(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cs.yaml")
	writeFile(t, file, goodScenario) // 6 runs
	array := regexp.MustCompile(`#SBATCH --array=(\S+)\n`)
	for _, c := range []struct {
		args  []string
		array string
	}{{nil, "1-6"}, {[]string{"--tasks", "2"}, "1-2"}, {[]string{"--set", "replications=5"}, "1-8"}} {
		code, stdout, stderr := exec(t, backend{}, append([]string{"slurm", file, "-o", "out/c s/1"}, c.args...)...)
		m := array.FindStringSubmatch(stdout)
		if code != 0 || stderr != "" || m == nil || m[1] != c.array {
			t.Errorf("netsim slurm %v: exit %d, stderr %q, array %v, want %s", c.args, code, stderr, m, c.array)
		}
		if !strings.Contains(stdout, "#SBATCH --job-name=netsim-cs\n") || !strings.Contains(stdout, " -o 'out/c s/1'\n") {
			t.Errorf("netsim slurm %v: job name or folder:\n%s", c.args, stdout)
		}
	}
	if got := jobName("netsim-c s/1"); got != "netsim-c-s-1" {
		t.Errorf("jobName(%q) = %q, want netsim-c-s-1", "netsim-c s/1", got)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tasks", "0"}, "netsim slurm: --tasks 0: want at least 1\n"},
		{[]string{"--tasks", "7"}, "netsim slurm: --tasks 7: the campaign has 6 runs, so at most 6 tasks have work\n"},
		{[]string{"-o", "a\nb"}, "netsim slurm: \"a\\nb\": a line break cannot stand in a batch script's lines\n"},
	} {
		code, _, stderr := exec(t, backend{}, append([]string{"slurm", file}, c.args...)...)
		if first, _, _ := strings.Cut(stderr, "usage:"); code != exitUsage || first != c.want {
			t.Errorf("%q: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}
