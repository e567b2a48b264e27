#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""abi-check.py REF_INCLUDE OUR_INCLUDE HEADER [HEADER...]

Checks that our uAPI headers keep the ABI of a reference kernel's: every
struct (size, and offset and size of each member), every enum constant
and every #define'd ioctl number of the reference header must exist in
ours with the same value.  Names only we have are listed as extensions.
A structure whose first member is argsz (VFIO's) may be larger than the
reference's when all its members match: it grew at the tail, as VFIO's
structures do, and that is listed as an extension too.

Limits: it compiles for the host (x86-64) only, so a layout that differs
only on 32-bit (a plain __u64 where __aligned_u64 belongs) passes; member
types are compared by size and alignment, not by signedness; top-level
unions and typedefs are not examined.

HEADER is a path below the include roots (linux/iommufd.h).  ABI_INCLUDE
(colon-separated) adds include directories for what the headers include,
used alike for both sides.  The reference tree is
read for names only; nothing of it is copied.  Prints one line per header
("PASS|FAIL static: ...") and the differences.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

CC = os.environ.get("CC", "gcc")


def strip_comments(text):
    # One left-to-right pass, so "// see foo/*" cannot open a block.
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def strip_cpp(text):
    return re.sub(r"^\s*#.*$", " ", text, flags=re.M)


def members(body, prefix=""):
    """Member designators of a struct body, descending into anonymous
    unions/structs and naming members of named nested ones."""
    out = []
    depth = 0
    cur = ""
    for ch in body:
        cur += ch
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == ";" and depth == 0:
            decl = cur.strip()
            cur = ""
            m = re.match(r"(union|struct)\s*(\w*)\s*\{(.*)\}\s*(\w*)\s*(\[.*\])?\s*;$",
                         decl, re.S)
            if m:
                inner = members(m.group(3))
                name = m.group(4)
                if name:
                    out.append(prefix + name)
                    out += [prefix + name + "." + i for i in inner]
                else:
                    out += [prefix + i for i in inner]
                continue
            decl = decl.rstrip(";")
            if re.search(r":\s*\d+\s*(,|$)", decl):
                continue  # bitfields have no offset; the struct size covers them
            flex = re.search(r"\[\s*\]", decl)
            decl = re.sub(r"\[[^\]]*\]", "", decl)
            typed = re.match(r"(?:const\s+)?struct\s+(\w+)\s", decl.strip())
            for part in decl.split(","):
                n = re.findall(r"(\w+)\s*$", part.strip())
                if n:
                    # A flexible array has an offset but no size; a member of
                    # a struct type defined in the header is expanded later.
                    out.append(prefix + n[0] + ("[]" if flex else "") +
                               ("@" + typed.group(1) if typed and not flex else ""))
    return out


def parse(path):
    text = strip_comments(open(path).read())
    structs = {}
    for m in re.finditer(r"\bstruct\s+(\w+)\s*\{", text):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        structs[m.group(1)] = members(strip_cpp(text[m.end():i - 1]))

    def expand(fields, depth=0):
        out = []
        for f in fields:
            name, _, typ = f.partition("@")
            out.append(name)
            if typ in structs and depth < 8:
                out += [name + "." + g for g in expand(structs[typ], depth + 1)]
        return out

    structs = {k: expand(v) for k, v in structs.items()}
    consts = set()
    for m in re.finditer(r"\benum\s*\w*\s*\{(.*?)\}", text, re.S):
        for item in m.group(1).split(","):
            n = re.match(r"\s*([A-Za-z_]\w*)", item)
            if n:
                consts.add(n.group(1))
    # Every object-like macro with a value (function-like ones and names
    # starting with "_", such as include guards, are not ABI values).
    text = re.sub(r"\\\n", " ", text)
    for m in re.finditer(r"^\s*#\s*define\s+([A-Za-z]\w*)(?!\()\s+(\S.*)$",
                         text, re.M):
        consts.add(m.group(1))
    return structs, consts


def program(header, structs, consts):
    lines = ["#include <stdio.h>", "#include <stddef.h>",
             "#include <%s>" % header, "int main(void)", "{"]
    for s in sorted(structs):
        lines.append('\tprintf("struct %s size %%zu align %%zu\\n", sizeof(struct %s), '
                     '__alignof__(struct %s));' % (s, s, s))
        for f in structs[s]:
            if f.endswith("[]"):
                g = f[:-2]
                lines.append('\tprintf("struct %s.%s offset %%zu (flexible)\\n", '
                             'offsetof(struct %s, %s));' % (s, g, s, g))
                continue
            lines.append('\tprintf("struct %s.%s offset %%zu size %%zu align %%zu\\n", '
                         'offsetof(struct %s, %s), sizeof(((struct %s *)0)->%s), '
                         '__alignof__(((struct %s *)0)->%s));'
                         % (s, f, s, f, s, f, s, f))
    for c in sorted(consts):
        lines.append('\tprintf("%s %%llu\\n", (unsigned long long)(%s));' % (c, c))
    lines += ["\treturn 0;", "}"]
    return "\n".join(lines) + "\n"


def run(inc, header, structs, consts, tmp, tag):
    # Only the header under test comes from @inc; what it includes comes
    # from the system's installed uAPI headers, as for any program.
    hdr_dir = os.path.join(tmp, tag + "-include")
    os.makedirs(os.path.dirname(os.path.join(hdr_dir, header)))
    shutil.copy(os.path.join(inc, header), os.path.join(hdr_dir, header))
    src = os.path.join(tmp, tag + ".c")
    exe = os.path.join(tmp, tag)
    open(src, "w").write(program(header, structs, consts))
    extra = []
    for d in os.environ.get("ABI_INCLUDE", "").split(":"):
        if d:
            extra += ["-I", d]
    r = subprocess.run([CC, "-w", "-I", hdr_dir] + extra + ["-o", exe, src],
                       capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr
    return subprocess.run([exe], capture_output=True, text=True).stdout, ""


def tail_growth(ref_line, our_line, ref_structs):
    """A VFIO-style structure, whose first member is argsz, may grow at its
    tail: the kernel reads only what argsz covers and what the flags ask
    for, so programs built against the reference still work. Its members
    are compared one by one; only the size line may differ, upwards, with
    the same alignment. Returns a note for the extensions, or None."""
    r = re.match(r"struct (\w+) size (\d+) align (\d+)$", ref_line)
    o = re.match(r"struct (\w+) size (\d+) align (\d+)$", our_line)
    if not r or not o or r.group(1) != o.group(1) or r.group(3) != o.group(3):
        return None
    fields = ref_structs.get(r.group(1)) or []
    if not fields or fields[0] != "argsz" or int(o.group(2)) <= int(r.group(2)):
        return None
    return "struct %s grows from %s to %s bytes" % (r.group(1), r.group(2),
                                                   o.group(2))


def main():
    ref_inc, our_inc = sys.argv[1], sys.argv[2]
    failed = False
    for header in sys.argv[3:]:
        rs, rc = parse(os.path.join(ref_inc, header))
        os_, oc = parse(os.path.join(our_inc, header))
        problems = []
        missing = sorted(set(rs) - set(os_)) + sorted(rc - oc)
        for name in missing:
            problems.append("missing: " + name)
        for s in sorted(set(rs) & set(os_)):
            for f in rs[s]:
                if f not in os_[s]:
                    problems.append("missing: struct %s.%s" % (s, f))
        both_s = {s: [f for f in rs[s] if f in os_[s]] for s in rs if s in os_}
        both_c = rc & oc
        grew = []
        with tempfile.TemporaryDirectory() as tmp:
            ref_out, err1 = run(ref_inc, header, both_s, both_c, tmp, "ref")
            our_out, err2 = run(our_inc, header, both_s, both_c, tmp, "our")
        if ref_out is None or our_out is None:
            problems.append("does not compile: " + (err1 or err2).strip())
        else:
            ref_l = ref_out.splitlines()
            our_l = our_out.splitlines()
            for a, b in zip(ref_l, our_l):
                if a == b:
                    continue
                grown = tail_growth(a, b, rs)
                if grown:
                    grew.append(grown)
                    continue
                problems.append("differs: reference '%s', ours '%s'" % (a, b))
        ext = sorted(set(os_) - set(rs)) + sorted(oc - rc)
        ext += ["struct %s.%s" % (s, f) for s in both_s for f in os_[s]
                if f not in rs[s]]
        ext += grew
        checked = len(both_c) + sum(1 + len(v) for v in both_s.values())
        if problems:
            failed = True
            print("FAIL static: ABI of %s matches the reference" % header)
            for p in problems:
                print("      | " + p)
        else:
            print("PASS static: ABI of %s matches the reference "
                  "(%d items; extensions: %s)"
                  % (header, checked, ", ".join(ext) if ext else "none"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
