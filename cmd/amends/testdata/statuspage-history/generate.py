#!/usr/bin/env python3
"""Writes a small Statuspage history with every shape an import must take:
component groups and an ungrouped component, resolving updates that leave
components degraded, backfilled incidents, HTML bodies, millisecond
instants, phases that go back, notes after the resolution, an incident
resolved without a resolving update, a maintenance, and an incident open in
incidents.json and resolved in incidents-later.json (which also corrects
one update's text). Run it from this directory; the output is committed."""
import json
from datetime import datetime, timedelta, timezone

PAGE = {"id": "hx7pagehist1", "name": "Orbit Status", "url": "https://status.orbit.example",
        "time_zone": "Etc/UTC", "updated_at": "2023-06-02T09:30:00.000Z"}

def ts(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)

GROUPS = [
    {"id": "grpcompute01", "name": "Compute", "description": "Virtual machines", "position": 1, "members": ["vmuseast0001", "vmeuwest0002"]},
    {"id": "grpstorage02", "name": "Storage", "description": None, "position": 2, "members": ["objstore0003"]},
]
COMPONENTS = {
    "vmuseast0001": {"name": "VMs us-east", "description": "Instances in us-east", "showcase": True, "start_date": "2019-04-01", "group_id": "grpcompute01", "position": 1},
    "vmeuwest0002": {"name": "VMs eu-west", "description": None, "showcase": False, "start_date": None, "group_id": "grpcompute01", "position": 2},
    "objstore0003": {"name": "Object storage", "description": "Buckets", "showcase": True, "start_date": None, "group_id": "grpstorage02", "position": 1},
    "Dashboard_04": {"name": "Dashboard", "description": None, "showcase": False, "start_date": None, "group_id": None, "position": 4},
}
CREATED = "2019-01-01T00:00:00.000Z"

def component(cid, status="operational"):
    c = COMPONENTS[cid]
    return {"id": cid, "name": c["name"], "status": status, "created_at": CREATED, "updated_at": CREATED,
            "position": c["position"], "description": c["description"], "showcase": c["showcase"],
            "start_date": c["start_date"], "group_id": c["group_id"], "page_id": PAGE["id"], "group": False,
            "only_show_if_degraded": False}

def group(g):
    return {"id": g["id"], "name": g["name"], "status": "operational", "created_at": CREATED, "updated_at": CREATED,
            "position": g["position"], "description": g["description"], "showcase": False, "start_date": None,
            "group_id": None, "page_id": PAGE["id"], "group": True, "only_show_if_degraded": False,
            "components": g["members"]}

def update(iid, uid, status, body, at, affected=None, created=None, updated=None):
    return {"id": uid, "status": status, "body": body, "incident_id": iid,
            "created_at": ts(created or at), "updated_at": ts(updated or created or at), "display_at": ts(at),
            "affected_components": [{"code": c, "name": COMPONENTS[c]["name"], "old_status": o, "new_status": n} for c, o, n in affected] if affected else None,
            "deliver_notifications": True, "custom_tweet": None, "tweet_id": None}

def incident(iid, name, status, impact, updates, started=None, created=None, comps=()):
    ats = [datetime.strptime(u["display_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc) for u in updates]
    first, last = min(ats), max(ats)
    resolved = [a for u, a in zip(updates, ats) if u["status"] in ("resolved", "postmortem")]
    return {"id": iid, "name": name, "status": status,
            "created_at": ts(created or first), "updated_at": ts(last + timedelta(milliseconds=250)),
            "monitoring_at": None, "resolved_at": ts(min(resolved)) if resolved else None,
            "impact": impact, "shortlink": "https://stspg.io/" + iid, "started_at": ts(started or first),
            "page_id": PAGE["id"], "incident_updates": list(reversed(updates)),
            "components": [component(c) for c in comps]}

def at(day, h, m, s=0, ms=0):
    return datetime(2023, 5, day, h, m, s, ms * 1000, tzinfo=timezone.utc)

def history(later):
    out = []
    # Resolving update leaving a component at partial_outage.
    i = "inc0degraded"
    out.append(incident(i, "Slow VMs in us-east", "resolved", "minor", [
        update(i, "u0a", "investigating", "VMs in us-east start slowly.", at(2, 8, 0, 5, 123), [("vmuseast0001", "operational", "partial_outage")]),
        update(i, "u0b", "resolved", "Launch times are back to normal.", at(2, 9, 10, 0, 456), [("vmuseast0001", "partial_outage", "partial_outage")]),
    ], comps=["vmuseast0001"]))
    # Backfilled: started_at later than created_at and the first updates.
    i = "inc1backfill"
    out.append(incident(i, "Storage errors (backfilled)", "resolved", "major", [
        update(i, "u1a", "investigating", "Some requests to object storage failed.", at(3, 10, 0, 0, 1), [("objstore0003", "operational", "major_outage")], created=at(3, 18, 0)),
        update(i, "u1b", "resolved", "Resolved.", at(3, 11, 30, 0, 999), [("objstore0003", "major_outage", "operational")], created=at(3, 18, 1)),
    ], started=at(3, 12, 0), created=at(3, 9, 59, 0, 500), comps=["objstore0003"]))
    # HTML bodies (one tries a script).
    i = "inc2htmlbody"
    out.append(incident(i, "Dashboard sign-in errors", "resolved", "minor", [
        update(i, "u2a", "investigating", 'Sign-in fails for some users.<br>See <a href="https://help.orbit.example/signin">the help page</a>.', at(4, 14, 0, 0, 10), [("Dashboard_04", "operational", "degraded_performance")]),
        update(i, "u2b", "monitoring", "A fix is out:<ul><li>sessions renewed</li><li>cache flushed</li></ul><script>alert(1)</script>", at(4, 14, 30, 0, 20)),
        update(i, "u2c", "resolved", "Sign-in works again. Plain text with a < sign & an ampersand.", at(4, 15, 0, 0, 30), [("Dashboard_04", "degraded_performance", "operational")]),
    ], comps=["Dashboard_04"]))
    # Phase going back, a postmortem note after the resolution, old_status as recorded.
    i = "inc3goesback"
    out.append(incident(i, "VMs unreachable in eu-west", "postmortem", "critical", [
        update(i, "u3a", "investigating", "VMs in eu-west are unreachable.", at(5, 1, 0, 0, 5), [("vmeuwest0002", "degraded_performance", "major_outage")]),
        update(i, "u3b", "monitoring", "Network restored; watching.", at(5, 1, 40, 0, 5), [("vmeuwest0002", "major_outage", "degraded_performance")]),
        update(i, "u3c", "identified", "Errors again; a second router is at fault.", at(5, 2, 0, 0, 5)),
        update(i, "u3d", "resolved", "All VMs reachable.", at(5, 3, 0, 0, 5), [("vmeuwest0002", "degraded_performance", "operational")]),
        update(i, "u3e", "postmortem", "A router upgrade went wrong; we now upgrade one router at a time.", at(8, 12, 0, 0, 5)),
    ], comps=["vmeuwest0002"]))
    # Marked resolved with no resolving update.
    i = "inc4noresolv"
    out.append(incident(i, "Dashboard slow", "resolved", "none", [
        update(i, "u4a", "investigating", "The dashboard is slow.", at(6, 9, 0, 0, 300)),
        update(i, "u4b", "monitoring", "Faster now.", at(6, 9, 45, 0, 300)),
    ]))
    # Open in the first file, resolved (and one text corrected) in the later one.
    i = "inc5openlate"
    ups = [update(i, "u5a", "investigating", "Object storage uploads fail." if not later else "Object storage uploads fail in us-east.",
                  at(30, 22, 0, 0, 700), [("objstore0003", "operational", "partial_outage")],
                  updated=at(30, 22, 0, 0, 700) if not later else at(31, 23, 0, 0, 100))]
    if later:
        ups.append(update(i, "u5b", "resolved", "Uploads work again.", at(31, 1, 0, 0, 800), [("objstore0003", "partial_outage", "operational")]))
    out.append(incident(i, "Upload failures", "resolved" if later else "investigating", "major", ups, comps=["objstore0003"]))
    # Filler: ordinary resolved incidents over April 2023.
    for n in range(20):
        i = "inc%02dfiller" % (10 + n)
        cid = list(COMPONENTS)[n % 4]
        day = datetime(2023, 4, 1 + n, 6 + n % 10, 3 * n % 60, n % 60, (37 * n) % 1000 * 1000, tzinfo=timezone.utc)
        out.append(incident(i, "Brief errors %d" % (n + 1), "resolved", ["none", "minor", "major"][n % 3], [
            update(i, "u%02da" % (10 + n), "investigating", "We see errors on %s." % COMPONENTS[cid]["name"], day, [(cid, "operational", "degraded_performance")]),
            update(i, "u%02db" % (10 + n), "resolved", "Resolved after %d minutes." % (10 + n), day + timedelta(minutes=10 + n), [(cid, "degraded_performance", "operational")]),
        ], comps=[cid]))
    # A maintenance, which the import leaves out.
    m = incident("mnt0window01", "Database upgrade", "completed", "maintenance", [
        update("mnt0window01", "um0a", "scheduled", "We upgrade the database.", at(20, 2, 0))])
    m["scheduled_for"], m["scheduled_until"] = ts(at(21, 2, 0)), ts(at(21, 3, 0))
    out.append(m)
    out.sort(key=lambda x: x["created_at"], reverse=True)
    return out

def write(name, doc):
    with open(name, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

comps = [group(GROUPS[0])] + [component(c) for c in GROUPS[0]["members"]] + [group(GROUPS[1])] + [component(c) for c in GROUPS[1]["members"]] + [component("Dashboard_04")]
first = history(False)
write("summary.json", {"page": PAGE, "components": comps,
      "incidents": [x for x in first if x["status"] not in ("resolved", "postmortem", "completed")],
      "scheduled_maintenances": [], "status": {"indicator": "major", "description": "Partial System Outage"}})
write("incidents.json", {"page": PAGE, "incidents": first})
write("incidents-later.json", {"page": PAGE, "incidents": history(True)})
