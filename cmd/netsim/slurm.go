package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
)

// defaultTasks is the array size of netsim slurm without --tasks.
const defaultTasks = 8

var slurmCmd = &command{
	name:    "slurm",
	args:    "SCENARIO [--tasks N] [-o DIR] [--set key=value ...] [--seed N]",
	summary: "print a Slurm job array script that runs a campaign in shards and merges them",
	detail: `Slurm prints a batch script for Slurm's sbatch that runs SCENARIO (a file or a built-in
name, after the --set and --seed overrides) as a job array of N tasks: task K runs
'netsim run --shard K/N' into DIR/shard-K-of-N, and the array's first task submits
'netsim merge -o DIR' as a job that starts once every task has succeeded
(--dependency=afterok). Submit it with 'sbatch FILE' from the folder netsim slurm ran
in (the jobs start there; DIR and a scenario file are relative to it), with netsim on
the PATH. A failed or cancelled task K runs again alone with 'sbatch --array=K FILE',
which submits the merge again; 'netsim merge' names the runs still missing. Nothing is
run or submitted. N is 8 by default, or the number of runs if that is fewer; DIR is
out/<scenario name> by default.`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var (
			o      overrides
			tasks  int
			outDir string
		)
		o.define(fs)
		fs.IntVar(&tasks, "tasks", 0, "the job array's size `N`, the number of shards (default 8, at most the number of runs)")
		fs.StringVar(&outDir, "o", "", "the merged campaign's folder `DIR`, which holds the shards' folders (default out/<scenario name>)")
		return func(ctx context.Context, c *cli, args []string) error {
			if len(args) != 1 {
				return usagef(nil, "want one scenario, got %d arguments", len(args))
			}
			tasksSet := false
			fs.Visit(func(f *flag.Flag) { tasksSet = tasksSet || f.Name == "tasks" })
			if tasksSet && tasks < 1 {
				return usagef(nil, "--tasks %d: want at least 1", tasks)
			}
			s, err := o.load(c.eng, args[0])
			if err != nil {
				return err
			}
			switch {
			case !tasksSet:
				tasks = min(defaultTasks, s.Runs())
			case tasks > s.Runs():
				return usagef(nil, "--tasks %d: the campaign has %s, so at most %d tasks have work", tasks, plural(s.Runs(), "run"), s.Runs())
			}
			if outDir == "" {
				outDir = filepath.Join("out", s.Name())
			}
			for _, w := range append([]string{args[0], outDir}, o.args()...) {
				if strings.ContainsAny(w, "\n\r") {
					return usagef(nil, "%q: a line break cannot stand in a batch script's lines", w)
				}
			}
			j := slurmJob{Scenario: args[0], Overrides: o.args(), Tasks: tasks, Dir: filepath.Clean(outDir), Name: s.Name()}
			fmt.Fprint(c.stdout, j.script())
			return nil
		}
	},
}

// slurmJob is a campaign as a Slurm job array.
type slurmJob struct {
	Scenario  string   // as the user gave it: a built-in name or a file
	Overrides []string // --set and --seed, as command-line arguments
	Tasks     int
	Dir       string // the merged folder; shard K of N goes to Dir/shard-K-of-N
	Name      string // the scenario's name
}

// script is the batch script. The merge is submitted by the array's lowest task
// (SLURM_ARRAY_TASK_MIN), not by the user, so that one sbatch submits the campaign and
// a rerun of one task (sbatch --array=K) submits a merge that waits for that task. Each
// task asks for one CPU and runs as many workers as it got: Go would otherwise start
// one per core of the node, which Slurm has not given it.
func (j slurmJob) script() string {
	job := jobName("netsim-" + j.Name)
	printedBy := shellJoin(append(append([]string{"netsim", "slurm", j.Scenario}, j.Overrides...),
		"--tasks", fmt.Sprint(j.Tasks), "-o", j.Dir))
	run := shellJoin(append([]string{"netsim", "run", j.Scenario}, j.Overrides...))
	return fmt.Sprintf(`#!/bin/bash
# The netsim campaign %[1]s as a Slurm job array of %[2]d tasks, printed by
#   %[3]s
# Submit it with 'sbatch FILE' from the folder netsim slurm ran in, with netsim on the
# PATH. Task K runs shard K/%[2]d into %[4]s/shard-K-of-%[2]d; the first task submits
# the merge into %[4]s, which starts once every task has succeeded. A failed or
# cancelled task K runs again alone with 'sbatch --array=K FILE', which submits the
# merge again; 'netsim merge' names the runs still missing.
#SBATCH --job-name=%[5]s
#SBATCH --array=1-%[2]d
#SBATCH --cpus-per-task=1
#SBATCH --output=%[5]s-%%A_%%a.out
set -euo pipefail
if [ "$SLURM_ARRAY_TASK_ID" = "$SLURM_ARRAY_TASK_MIN" ]; then
	sbatch --job-name=%[5]s-merge --dependency=afterok:"$SLURM_ARRAY_JOB_ID" \
		--output=%[5]s-merge-%%j.out <<'MERGE'
#!/bin/bash
netsim merge -o %[6]s %[6]s/shard-*-of-%[2]d
MERGE
fi
%[7]s --shard "$SLURM_ARRAY_TASK_ID/%[2]d" \
	-o "%[8]s/shard-$SLURM_ARRAY_TASK_ID-of-%[2]d" -j "${SLURM_CPUS_PER_TASK:-1}" -q
`, strings.Join(strings.Fields(j.Name), " "), j.Tasks, printedBy, j.Dir, job, shellQuote(j.Dir), run, doubleQuoted(j.Dir))
}

// jobName is name with every character but letters, digits, '.', '_' and '-' replaced
// by '-', so that it can stand in #SBATCH lines and file names unquoted.
func jobName(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '-'
	}, name)
}

// shellSafe are the bytes a word may hold and stay one word, unquoted, in a POSIX shell.
const shellSafe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./:,@%"

// shellQuote is s as one word of a POSIX shell: as it is if it is made of shellSafe
// bytes, in single quotes otherwise, each single quote in s ending the quotes, escaped
// with a backslash and opening them again.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, shellSafe) == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellJoin(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = shellQuote(w)
	}
	return strings.Join(out, " ")
}

// doubleQuoted escapes s for the inside of a shell's double quotes, where $, `, " and \
// are special.
func doubleQuoted(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(s)
}
