//! The open-file limit: every socket is a file descriptor, on our side and
//! on the servers' (children inherit the limit we set).

/// Raises the soft RLIMIT_NOFILE to the hard limit and checks that `needed`
/// descriptors fit; the error says what to raise when they do not.
pub fn raise_nofile(needed: u64) -> Result<u64, String> {
    let limit = rlimit::increase_nofile_limit(u64::MAX)
        .map_err(|e| format!("cannot read or raise the open-file limit: {e}"))?;
    if limit < needed {
        return Err(format!(
            "the open-file limit is {limit} but this run needs about {needed}: raise it \
             (for example `ulimit -n {needed}` as root, or the hard limit in \
             /etc/security/limits.conf) or run with fewer sockets"
        ));
    }
    Ok(limit)
}
