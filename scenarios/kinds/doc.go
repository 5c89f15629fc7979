// Package kinds binds each protocol model to the scenario format: one file per kind,
// each a declaration of the app's parameters, metrics and theory, of its default
// platform, and of its deployment (which program runs on which host); crosstraffic.go
// binds apps/bulk for any kind that takes cross traffic. Importing it registers every
// kind; nothing else needs to name one.
package kinds
