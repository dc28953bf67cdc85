//! Just enough of the BPF Type Format to find struct member offsets in the running kernel's
//! BTF (`/sys/kernel/btf/vmlinux`). The eBPF programs cannot carry CO-RE relocations (Rust), so
//! the loader resolves each offset they need here and hands it to them as a global.
//!
//! Ours stays: aya-obj 0.3.0 (aya 0.14.0's) makes public only `Btf::parse` and `id_by_type_name_kind`; type lookup by id, member names/offsets and typedef/modifier resolution are `pub(crate)`.

use std::collections::HashMap;

const BTF_MAGIC: u16 = 0xeb9f;
const KIND_INT: u32 = 1;
const KIND_PTR: u32 = 2;
const KIND_ARRAY: u32 = 3;
const KIND_STRUCT: u32 = 4;
const KIND_UNION: u32 = 5;
const KIND_ENUM: u32 = 6;
const KIND_TYPEDEF: u32 = 8;
const KIND_VOLATILE: u32 = 9;
const KIND_CONST: u32 = 10;
const KIND_RESTRICT: u32 = 11;
const KIND_FUNC_PROTO: u32 = 13;
const KIND_VAR: u32 = 14;
const KIND_DATASEC: u32 = 15;
const KIND_DECL_TAG: u32 = 17;
const KIND_TYPE_TAG: u32 = 18;
const KIND_ENUM64: u32 = 19;

#[derive(Debug, thiserror::Error)]
pub enum BtfError {
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
    #[error("malformed BTF: {0}")]
    Malformed(&'static str),
}

#[derive(Clone, Debug)]
struct Member {
    name: u32,
    ty: u32,
    /// Offset in bits.
    bit_offset: u32,
    /// Bitfield width (0: not a bitfield).
    bitfield: u32,
}

#[derive(Clone, Debug)]
struct Type {
    name: u32,
    kind: u32,
    /// size for struct/union/int, referenced type for typedef/ptr/const/...
    size_or_type: u32,
    members: Vec<Member>,
    /// KIND_ARRAY: element type and count.
    array: Option<(u32, u32)>,
}

/// The parsed type section of a BTF blob (only what offset resolution needs).
pub struct Btf {
    strings: Vec<u8>,
    /// Index = type id - 1.
    types: Vec<Type>,
    by_name: HashMap<String, Vec<u32>>,
}

fn u32_at(b: &[u8], off: usize) -> Result<u32, BtfError> {
    b.get(off..off + 4)
        .map(|s| u32::from_le_bytes(s.try_into().unwrap()))
        .ok_or(BtfError::Malformed("truncated"))
}

impl Btf {
    /// The running kernel's BTF.
    pub fn from_sys_fs() -> Result<Btf, BtfError> {
        let path = "/sys/kernel/btf/vmlinux";
        let data = std::fs::read(path).map_err(|e| BtfError::Io(path.into(), e))?;
        Btf::parse(&data)
    }

    pub fn parse(data: &[u8]) -> Result<Btf, BtfError> {
        if data.len() < 24 || u16::from_le_bytes([data[0], data[1]]) != BTF_MAGIC {
            return Err(BtfError::Malformed(
                "bad magic (only little-endian BTF is supported)",
            ));
        }
        let hdr_len = u32_at(data, 4)? as usize;
        let type_off = u32_at(data, 8)? as usize;
        let type_len = u32_at(data, 12)? as usize;
        let str_off = u32_at(data, 16)? as usize;
        let str_len = u32_at(data, 20)? as usize;
        let types_sec = data
            .get(hdr_len + type_off..hdr_len + type_off + type_len)
            .ok_or(BtfError::Malformed("type section out of bounds"))?;
        let strings = data
            .get(hdr_len + str_off..hdr_len + str_off + str_len)
            .ok_or(BtfError::Malformed("string section out of bounds"))?
            .to_vec();
        let mut types = Vec::new();
        let mut off = 0;
        while off + 12 <= types_sec.len() {
            let name = u32_at(types_sec, off)?;
            let info = u32_at(types_sec, off + 4)?;
            let size_or_type = u32_at(types_sec, off + 8)?;
            off += 12;
            let vlen = (info & 0xffff) as usize;
            let kind = (info >> 24) & 0x1f;
            let kind_flag = info >> 31 == 1;
            let mut members = Vec::new();
            let mut array = None;
            match kind {
                KIND_INT | KIND_VAR | KIND_DECL_TAG => off += 4,
                KIND_ARRAY => {
                    array = Some((u32_at(types_sec, off)?, u32_at(types_sec, off + 8)?));
                    off += 12
                }
                KIND_STRUCT | KIND_UNION => {
                    for i in 0..vlen {
                        let m = off + 12 * i;
                        let raw = u32_at(types_sec, m + 8)?;
                        members.push(Member {
                            name: u32_at(types_sec, m)?,
                            ty: u32_at(types_sec, m + 4)?,
                            bit_offset: if kind_flag { raw & 0x00ff_ffff } else { raw },
                            bitfield: if kind_flag { raw >> 24 } else { 0 },
                        });
                    }
                    off += 12 * vlen;
                }
                KIND_ENUM | KIND_FUNC_PROTO => off += 8 * vlen,
                KIND_DATASEC | KIND_ENUM64 => off += 12 * vlen,
                _ => {}
            }
            types.push(Type {
                name,
                kind,
                size_or_type,
                members,
                array,
            });
        }
        let mut btf = Btf {
            strings,
            types,
            by_name: HashMap::new(),
        };
        for (i, t) in btf.types.iter().enumerate() {
            if (t.kind == KIND_STRUCT || t.kind == KIND_UNION) && t.name != 0 {
                let n = btf.str_at(t.name).to_string();
                btf.by_name.entry(n).or_default().push(i as u32 + 1);
            }
        }
        Ok(btf)
    }

    fn str_at(&self, off: u32) -> &str {
        let s = self.strings.get(off as usize..).unwrap_or(&[]);
        let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
        std::str::from_utf8(&s[..end]).unwrap_or("")
    }

    fn ty(&self, id: u32) -> Option<&Type> {
        id.checked_sub(1).and_then(|i| self.types.get(i as usize))
    }

    /// Follows typedefs and qualifiers to the underlying type id.
    fn strip(&self, mut id: u32) -> u32 {
        for _ in 0..32 {
            match self.ty(id) {
                Some(t)
                    if matches!(
                        t.kind,
                        KIND_TYPEDEF | KIND_VOLATILE | KIND_CONST | KIND_RESTRICT | KIND_TYPE_TAG
                    ) =>
                {
                    id = t.size_or_type
                }
                _ => break,
            }
        }
        id
    }

    /// Finds member `name` of struct/union `id`, looking into anonymous members; returns its
    /// bit offset, type id and bitfield width (0: not a bitfield).
    fn member(&self, id: u32, name: &str, depth: u32) -> Option<(u32, u32, u32)> {
        if depth > 8 {
            return None;
        }
        let t = self.ty(self.strip(id))?;
        for m in &t.members {
            if m.name == 0 {
                if let Some((off, ty, bf)) = self.member(m.ty, name, depth + 1) {
                    return Some((m.bit_offset + off, ty, bf));
                }
            } else if self.str_at(m.name) == name {
                return Some((m.bit_offset, m.ty, m.bitfield));
            }
        }
        None
    }

    /// Size in bytes of type `id` (ints, pointers, structs, unions, enums, arrays).
    fn size_of_type(&self, id: u32, depth: u32) -> Option<u32> {
        if depth > 16 {
            return None;
        }
        let t = self.ty(self.strip(id))?;
        match t.kind {
            KIND_PTR => Some(8),
            KIND_INT | KIND_STRUCT | KIND_UNION | KIND_ENUM | KIND_ENUM64 => Some(t.size_or_type),
            KIND_ARRAY => {
                let (elem, n) = t.array?;
                Some(self.size_of_type(elem, depth + 1)?.checked_mul(n)?)
            }
            _ => None,
        }
    }

    /// Byte offset and size of `path` inside `struct_name` (as [`Btf::offset_of`]); None also
    /// when the member is a bitfield or its size is not known.
    pub fn field(&self, struct_name: &str, path: &str) -> Option<(u32, u32)> {
        let ids = self.by_name.get(struct_name)?;
        'candidates: for &id in ids {
            let mut cur = id;
            let mut bits = 0;
            let mut bitfield = 0;
            for part in path.split('.') {
                match self.member(cur, part, 0) {
                    Some((off, ty, bf)) => {
                        bits += off;
                        cur = ty;
                        bitfield = bf;
                    }
                    None => continue 'candidates,
                }
            }
            if bits % 8 != 0 || bitfield != 0 {
                continue;
            }
            return Some((bits / 8, self.size_of_type(cur, 0)?));
        }
        None
    }

    /// Size in bytes of struct `name`.
    pub fn struct_size(&self, name: &str) -> Option<u32> {
        self.by_name
            .get(name)
            .and_then(|ids| ids.first())
            .and_then(|&id| self.size_of_type(id, 0))
    }

    /// Byte offset of `path` ("a.b.c": nested members, through anonymous structs and unions)
    /// inside `struct_name`. None when the struct or a member does not exist.
    pub fn offset_of(&self, struct_name: &str, path: &str) -> Option<u32> {
        let ids = self.by_name.get(struct_name)?;
        'candidates: for &id in ids {
            let mut cur = id;
            let mut bits = 0;
            for part in path.split('.') {
                match self.member(cur, part, 0) {
                    Some((off, ty, _)) => {
                        bits += off;
                        cur = ty;
                    }
                    None => continue 'candidates,
                }
            }
            if bits % 8 == 0 {
                return Some(bits / 8);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a BTF blob: struct outer { int a; union { int b; struct inner in; }; };
    /// struct inner { int x; int y; }
    fn sample() -> Vec<u8> {
        let strings = b"\0int\0outer\0a\0b\0inner\0in\0x\0y\0".to_vec();
        let s = |name: &str| {
            let pos = strings
                .windows(name.len() + 2)
                .position(|w| {
                    &w[1..w.len() - 1] == name.as_bytes() && w[0] == 0 && w[w.len() - 1] == 0
                })
                .unwrap();
            pos as u32 + 1
        };
        let mut t = Vec::new();
        let mut push = |v: &[u32]| v.iter().for_each(|x| t.extend_from_slice(&x.to_le_bytes()));
        // 1: int
        push(&[s("int"), KIND_INT << 24, 4, 32]);
        // 2: struct inner { int x @0; int y @32; }
        push(&[
            s("inner"),
            KIND_STRUCT << 24 | 2,
            8,
            s("x"),
            1,
            0,
            s("y"),
            1,
            32,
        ]);
        // 3: anonymous union { int b; struct inner in; }
        push(&[0, KIND_UNION << 24 | 2, 8, s("b"), 1, 0, s("in"), 2, 0]);
        // 4: struct outer { int a @0; union @64; }
        push(&[
            s("outer"),
            KIND_STRUCT << 24 | 2,
            16,
            s("a"),
            1,
            0,
            0,
            3,
            64,
        ]);
        let mut out = Vec::new();
        out.extend_from_slice(&BTF_MAGIC.to_le_bytes());
        out.extend_from_slice(&[1, 0]);
        for v in [
            24u32,
            0,
            t.len() as u32,
            t.len() as u32,
            strings.len() as u32,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&t);
        out.extend_from_slice(&strings);
        out
    }

    #[test]
    fn offsets_through_anonymous_members() {
        let btf = Btf::parse(&sample()).unwrap();
        assert_eq!(btf.offset_of("outer", "a"), Some(0));
        assert_eq!(btf.offset_of("outer", "b"), Some(8));
        assert_eq!(btf.offset_of("outer", "in.y"), Some(12));
        assert_eq!(btf.offset_of("outer", "nope"), None);
        assert_eq!(btf.offset_of("missing", "a"), None);
        assert_eq!(btf.field("outer", "in.y"), Some((12, 4)));
        assert_eq!(btf.field("outer", "in"), Some((8, 8)));
        assert_eq!(btf.struct_size("outer"), Some(16));
    }

    #[test]
    fn rejects_garbage() {
        assert!(Btf::parse(b"not btf at all, not btf at all").is_err());
        assert!(Btf::parse(&[]).is_err());
    }

    #[test]
    fn running_kernel_has_task_struct() {
        // Every supported kernel ships BTF (the tool refuses to start without it).
        let btf = Btf::from_sys_fs().expect("kernel BTF at /sys/kernel/btf/vmlinux");
        assert!(btf.offset_of("task_struct", "real_parent").is_some());
        assert!(btf.offset_of("task_struct", "tgid").is_some());
    }
}
