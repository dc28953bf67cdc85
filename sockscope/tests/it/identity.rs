//! The task identity of each record (comm, cgroup id, parent) follows the thread exactly while
//! the kernel side keeps it cached per slot (the thread's or the CPU's): a rename with prctl(PR_SET_NAME), a move to
//! another cgroup v2 group, re-parenting after the parent exits, and a thread renamed by
//! another thread (pthread_setname_np); the uid and gid follow setresuid/setresgid at once.
//! Needs root; see `support::require_root`.

use crate::support;

use serde_json::Value;
use support::*;

/// Each `EXPECT tag field...` line of the workload's stdout, split after `EXPECT`, with the one
/// sendto, sendmsg or write event of the JSON trace whose payload is the tag.
fn expected<'a>(stdout: &'a str, trace: &str) -> Vec<(Vec<&'a str>, Value)> {
    let events: Vec<Value> = trace
        .lines()
        .map(|l| {
            check_json_event(l);
            serde_json::from_str(l).unwrap()
        })
        .filter(|e: &Value| {
            ["sendto", "sendmsg", "write"].contains(&e["eventName"].as_str().unwrap_or(""))
        })
        .collect();
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("EXPECT "))
        .map(|rest| {
            let f: Vec<&str> = rest.split(' ').collect();
            let quoted = format!("\"{}\"", f[0]);
            let hits: Vec<&Value> = events
                .iter()
                .filter(|e| e["strace"].as_str().is_some_and(|s| s.contains(&quoted)))
                .collect();
            assert_eq!(hits.len(), 1, "{}: {hits:?}\n{trace}", f[0]);
            (f, hits[0].clone())
        })
        .collect()
}

#[test]
fn identity_follows_rename_cgroup_and_reparent() {
    if !require_root("identity_follows_rename_cgroup_and_reparent") {
        return;
    }
    let Some(root) = cgroup2_mount() else {
        skip(
            "identity_follows_rename_cgroup_and_reparent",
            "no cgroup v2 file system mounted",
        );
        return;
    };
    let cg = Cgroup::create(&root, "identity");
    let dir = workdir("identity");
    let out = dir.join("trace.json");
    let exe = workload("rename");
    let r = sockscope_ok(
        &["--json", "-o", out.to_str().unwrap()],
        &[
            exe.to_str().unwrap(),
            cg.0.to_str().unwrap(),
            "40480",
            root.to_str().unwrap(),
        ],
    );
    let trace = std::fs::read_to_string(&out).unwrap();
    let mut seen = 0;
    for (f, e) in expected(&r.stdout, &trace) {
        let [tag, tid, comm, ppid, cgid] = f[..] else {
            panic!("bad EXPECT line {f:?}");
        };
        let want = (
            tid.parse::<u64>().unwrap(),
            comm,
            ppid.parse::<u64>().unwrap(),
            cgid.parse::<u64>().unwrap(),
        );
        let got = (
            e["threadId"].as_u64().unwrap(),
            e["processName"].as_str().unwrap(),
            e["parentProcessId"].as_u64().unwrap(),
            e["cgroupId"].as_u64().unwrap(),
        );
        assert_eq!(got, want, "{tag}: (tid, comm, ppid, cgroup id)\n{e}");
        seen += 1;
    }
    assert_eq!(seen, 6, "six sends expected:\n{}\n{trace}", r.stdout);
    // The workload's own changes are visible: a new name, a new group, a new parent.
    let by_tag = |t: &str| {
        r.stdout
            .lines()
            .find(|l| l.starts_with(&format!("EXPECT {t} ")))
            .unwrap()
            .split(' ')
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let (s1, s2, s3, s4) = (by_tag("s1"), by_tag("s2"), by_tag("s3"), by_tag("s4"));
    let (t1, t2) = (by_tag("t1"), by_tag("t2"));
    assert_ne!(s1[3], s2[3], "prctl rename");
    assert_ne!(s2[5], s3[5], "cgroup move");
    assert_ne!(s3[4], s4[4], "re-parenting");
    assert_ne!(t1[3], t2[3], "pthread_setname_np from another thread");
}

/// The kernel side keeps a task's name cached per slot, keyed by the task's address, and the
/// slot of a record sent within one program run is the CPU's: a child that exits and the next
/// child that gets its task_struct must not share a cached name. Children on one CPU, one
/// after another: a renamed one, then a few silent ones, then one with the name it inherited
/// (`workloads/taskreuse.c`); every send must carry its own child's tid and name. Without the
/// exit's invalidation (lifecycle.rs) it fails: tried.
#[test]
fn identity_of_a_task_reusing_an_exited_tasks_place() {
    if !require_root("identity_of_a_task_reusing_an_exited_tasks_place") {
        return;
    }
    let dir = workdir("identity-reuse");
    let out = dir.join("trace.json");
    let exe = workload("taskreuse");
    let rounds = 4;
    let r = sockscope_ok(
        &["--json", "-e", "trace=sendto", "-o", out.to_str().unwrap()],
        &[exe.to_str().unwrap(), "31790", &rounds.to_string()],
    );
    let trace = std::fs::read_to_string(&out).unwrap();
    let mut seen = 0;
    for (f, e) in expected(&r.stdout, &trace) {
        let [tag, tid, comm] = f[..] else {
            panic!("bad EXPECT line {f:?}");
        };
        let got = (
            e["threadId"].as_u64().unwrap(),
            e["processName"].as_str().unwrap(),
        );
        assert_eq!(got, (tid.parse().unwrap(), comm), "{tag}: (tid, comm)");
        seen += 1;
    }
    assert_eq!(seen, rounds * 8, "two sends per round and k:\n{}", r.stdout);
}

/// uid and gid are read at every call (by direct loads of current->cred, slot.rs `uid_gid`):
/// the calls right after setresgid/setresuid carry the new ones, on the three capture paths
/// (sendto and sendmsg at their exit, write at the socket tracepoint). The same six sends
/// carry root's before (`workloads/setid.c`).
#[test]
fn uid_gid_follow_setresuid_at_once() {
    if !require_root("uid_gid_follow_setresuid_at_once") {
        return;
    }
    let dir = workdir("identity-setid");
    let out = dir.join("trace.json");
    let exe = workload("setid");
    // The trace file is written by sockscope (root); the workload only prints to stdout.
    let r = sockscope_ok(
        &["--json", "-o", out.to_str().unwrap()],
        &[exe.to_str().unwrap(), "31791", "65534", "65533"],
    );
    let trace = std::fs::read_to_string(&out).unwrap();
    let mut seen = Vec::new();
    for (f, e) in expected(&r.stdout, &trace) {
        let [tag, uid, gid] = f[..] else {
            panic!("bad EXPECT line {f:?}");
        };
        let want = (uid.parse::<u64>().unwrap(), gid.parse::<u64>().unwrap());
        let got = (
            e["userId"].as_u64().unwrap(),
            e["groupId"].as_u64().unwrap(),
        );
        assert_eq!(got, want, "{tag}: (uid, gid)\n{e}");
        seen.push((
            tag.to_string(),
            e["eventName"].as_str().unwrap().to_string(),
            got,
        ));
    }
    let names: Vec<(&str, &str)> = seen
        .iter()
        .map(|(t, n, _)| (t.as_str(), n.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("r1", "sendto"),
            ("r2", "sendmsg"),
            ("r3", "write"),
            ("u1", "sendto"),
            ("u2", "sendmsg"),
            ("u3", "write")
        ],
        "six sends expected:\n{}\n{trace}",
        r.stdout
    );
    assert_eq!(seen[0].2, (0, 0), "root's before");
    assert_eq!(seen[3].2, (65534, 65533), "the new ones after");
}
