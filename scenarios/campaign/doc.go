// Package campaign runs scenarios: the worker pool, the journal that lets an
// interrupted campaign resume, shards and their merge, the output folder (manifest,
// runs.csv, summary.csv) and the figures. It knows kinds only through the scenarios
// format's kind table, never one by name.
package campaign
