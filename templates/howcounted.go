package templates

// HowCounted is one line on how a table's figure is counted.
type HowCounted struct{ Figure, How string }
