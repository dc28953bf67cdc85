//! A few recently written texts, by key: a program passes the same flags call after call, so
//! the text of a value that takes a table walk to write is remembered and copied the next
//! time. Hand-written (a handful of slots, no hashing crate) because it sits on the per-event
//! path: a hit is a compare and a copy.

/// Up to `N` texts, one per slot (a key's slot is its `hash` modulo `N`; a newer key in the
/// slot replaces the older).
pub struct TextMemo<K, const N: usize> {
    slots: [Option<(K, String)>; N],
}

impl<K: PartialEq + Copy, const N: usize> TextMemo<K, N> {
    pub const fn new() -> Self {
        TextMemo {
            slots: [const { None }; N],
        }
    }

    /// Appends the text of `key` to `out`: the remembered one, else what `make` appends (then
    /// remembered). `make` must append the same text for the same key every time.
    #[inline]
    pub fn push(&mut self, out: &mut String, key: K, hash: u64, make: impl FnOnce(&mut String)) {
        let slot = &mut self.slots[(hash % N as u64) as usize];
        if let Some((k, text)) = slot
            && *k == key
        {
            out.push_str(text);
            return;
        }
        let start = out.len();
        make(out);
        match slot {
            Some((k, text)) => {
                *k = key;
                text.clear();
                text.push_str(&out[start..]);
            }
            None => *slot = Some((key, out[start..].to_string())),
        }
    }
}

impl<K: PartialEq + Copy, const N: usize> Default for TextMemo<K, N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::TextMemo;

    /// Hits copy the text made for the key; keys sharing a slot replace each other; `make`
    /// runs only on a miss.
    #[test]
    fn remembers_per_key() {
        let mut m: TextMemo<u64, 2> = TextMemo::new();
        let mut made = 0;
        let mut out = String::from(">");
        for k in [1u64, 1, 3, 1, 2, 2, 3] {
            m.push(&mut out, k, k, |o| {
                made += 1;
                o.push_str(&format!("<{k}>"));
            });
        }
        assert_eq!(out, "><1><1><3><1><2><2><3>");
        // 1 (miss), 1 (hit), 3 replaces 1, 1 replaces 3, 2 (miss, own slot), 2 (hit), 3.
        assert_eq!(made, 5);
    }
}
