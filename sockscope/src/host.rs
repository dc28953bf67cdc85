//! What the tracer reads of the host it runs on (not of the traced call): interface names.
//! Decoders stay pure; they are handed these functions (or call them for `-y`-style names).

/// The name of interface `index` on this machine (libc's if_indextoname); None for 0 or an
/// index no interface has.
pub fn ifname(index: u32) -> Option<Vec<u8>> {
    if index == 0 {
        return None;
    }
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: buf has the IF_NAMESIZE bytes if_indextoname may write.
    let p = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    if p.is_null() {
        return None;
    }
    Some(
        buf.iter()
            .map(|&c| c as u8)
            .take_while(|&c| c != 0)
            .collect(),
    )
}

/// [`ifname`] as text (bytes that are not UTF-8 replaced), for JSON.
pub fn ifname_string(index: u32) -> Option<String> {
    ifname(index).map(|b| String::from_utf8_lossy(&b).into_owned())
}
