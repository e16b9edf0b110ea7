package incidents

// Status is the state of one component, as the status page shows it.
type Status string

// The component statuses, from best to worst (see Severity).
const (
	Operational         Status = "operational"
	DegradedPerformance Status = "degraded_performance"
	PartialOutage       Status = "partial_outage"
	MajorOutage         Status = "major_outage"
	UnderMaintenance    Status = "under_maintenance"
)

// Statuses lists every Status, best first.
var Statuses = []Status{Operational, UnderMaintenance, DegradedPerformance, PartialOutage, MajorOutage}

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool {
	switch s {
	case Operational, DegradedPerformance, PartialOutage, MajorOutage, UnderMaintenance:
		return true
	}
	return false
}

// Severity orders statuses: operational 0 < under_maintenance 1 <
// degraded_performance 2 < partial_outage 3 < major_outage 4. An unknown
// status has severity -1.
func (s Status) Severity() int {
	switch s {
	case Operational:
		return 0
	case UnderMaintenance:
		return 1
	case DegradedPerformance:
		return 2
	case PartialOutage:
		return 3
	case MajorOutage:
		return 4
	}
	return -1
}

// Label is the status as a reader sees it: "Partial outage".
func (s Status) Label() string {
	switch s {
	case Operational:
		return "Operational"
	case DegradedPerformance:
		return "Degraded performance"
	case PartialOutage:
		return "Partial outage"
	case MajorOutage:
		return "Major outage"
	case UnderMaintenance:
		return "Under maintenance"
	}
	return string(s)
}

// Worst returns the most severe of statuses, Operational if there are none.
func Worst(statuses ...Status) Status {
	w := Operational
	for _, s := range statuses {
		if s.Severity() > w.Severity() {
			w = s
		}
	}
	return w
}

// Phase is where an incident stands. Phases only move forward:
// investigating → identified → monitoring → resolved, skipping allowed.
type Phase string

// The incident phases, in order.
const (
	Investigating Phase = "investigating"
	Identified    Phase = "identified"
	Monitoring    Phase = "monitoring"
	Resolved      Phase = "resolved"
)

// Phases lists every Phase in order.
var Phases = []Phase{Investigating, Identified, Monitoring, Resolved}

// Valid reports whether p is one of the defined phases.
func (p Phase) Valid() bool { return p.Rank() >= 0 }

// Rank orders phases from 0 (investigating) to 3 (resolved); -1 if unknown.
func (p Phase) Rank() int {
	switch p {
	case Investigating:
		return 0
	case Identified:
		return 1
	case Monitoring:
		return 2
	case Resolved:
		return 3
	}
	return -1
}

// Label is the phase as a reader sees it: "Investigating".
func (p Phase) Label() string {
	switch p {
	case Investigating:
		return "Investigating"
	case Identified:
		return "Identified"
	case Monitoring:
		return "Monitoring"
	case Resolved:
		return "Resolved"
	}
	return string(p)
}

// Impact is how bad an incident is overall.
type Impact string

// The impacts, from least to most.
const (
	ImpactNone     Impact = "none"
	ImpactMinor    Impact = "minor"
	ImpactMajor    Impact = "major"
	ImpactCritical Impact = "critical"
)

// Impacts lists every Impact, least first.
var Impacts = []Impact{ImpactNone, ImpactMinor, ImpactMajor, ImpactCritical}

// Valid reports whether i is one of the defined impacts.
func (i Impact) Valid() bool {
	switch i {
	case ImpactNone, ImpactMinor, ImpactMajor, ImpactCritical:
		return true
	}
	return false
}

// Label is the impact as a reader sees it: "Critical".
func (i Impact) Label() string {
	switch i {
	case ImpactNone:
		return "None"
	case ImpactMinor:
		return "Minor"
	case ImpactMajor:
		return "Major"
	case ImpactCritical:
		return "Critical"
	}
	return string(i)
}

// impactOf is the impact an incident gets when none is given: the one that
// matches the worst status it sets.
func impactOf(s Status) Impact {
	switch s {
	case MajorOutage:
		return ImpactCritical
	case PartialOutage:
		return ImpactMajor
	case DegradedPerformance:
		return ImpactMinor
	}
	return ImpactNone
}

// MaintenancePhase is where a maintenance stands: scheduled → in progress →
// completed.
type MaintenancePhase string

// The maintenance phases, in order.
const (
	Scheduled  MaintenancePhase = "scheduled"
	InProgress MaintenancePhase = "in_progress"
	Completed  MaintenancePhase = "completed"
)

// MaintenancePhases lists every MaintenancePhase in order.
var MaintenancePhases = []MaintenancePhase{Scheduled, InProgress, Completed}

// Valid reports whether p is one of the defined maintenance phases.
func (p MaintenancePhase) Valid() bool { return p.Rank() >= 0 }

// Rank orders maintenance phases from 0 (scheduled) to 2 (completed); -1 if
// unknown.
func (p MaintenancePhase) Rank() int {
	switch p {
	case Scheduled:
		return 0
	case InProgress:
		return 1
	case Completed:
		return 2
	}
	return -1
}

// Label is the phase as a reader sees it: "In progress".
func (p MaintenancePhase) Label() string {
	switch p {
	case Scheduled:
		return "Scheduled"
	case InProgress:
		return "In progress"
	case Completed:
		return "Completed"
	}
	return string(p)
}
