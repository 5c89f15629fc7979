// Package kinds binds each protocol model to the scenario format: one file per kind,
// each a declaration of the app's parameters, metrics and theory. Importing it
// registers every kind; nothing else needs to name one.
package kinds
