# What the given archive members contribute to a linked image, from its GNU
# ld map file (-Wl,-Map): only the input sections kept after --gc-sections.
#
#   awk -v members="object panic sched status" -f mk/fw-size.awk image.map
#
# Prints "<code> <rodata> <data> <bss>" in bytes.
#
# Merged strings (.rodata.*.str1.1) are counted once: ld lists each input
# section with its size before merging, so a section is counted up to the
# address of whatever the map lists next (a section, a fill, an
# assignment), and a string section that merged away entirely (listed at
# the next one's address) counts 0.

function hex(s,    v, i, c) {
    v = 0
    s = tolower(substr(s, 3))
    for (i = 1; i <= length(s); i++) {
        c = index("0123456789abcdef", substr(s, i, 1)) - 1
        v = v * 16 + c
    }
    return v
}

# The section seen last, kept until the map shows where the next thing starts.
function hold(sec, addr, size, file) {
    flush(hex(addr))
    held = 1
    h_sec = sec
    h_addr = hex(addr)
    h_size = hex(size)
    h_file = file
}

function flush(next_addr,    size) {
    if (!held)
        return
    held = 0
    size = h_size
    if (next_addr >= h_addr && next_addr - h_addr < size)
        size = next_addr - h_addr
    add(h_sec, size, h_file)
}

function add(sec, size, file,    member) {
    if (!match(file, /\([^)]*\)$/))
        return
    member = substr(file, RSTART + 1, RLENGTH - 2)
    if (!(member in want))
        return
    if (sec ~ /^\.text/)
        code += size
    else if (sec ~ /^\.rodata/)
        rodata += size
    else if (sec ~ /^\.data/)
        data += size
    else if (sec ~ /^\.bss/ || sec == "COMMON")
        bss += size
}

BEGIN {
    n = split(members, m, " ")
    for (i = 1; i <= n; i++)
        want[m[i] ".o"] = 1
}

/^Linker script and memory map/ { inmap = 1; next }
!inmap { next }

# an input section: " .name addr size file", or " .name" alone, then "   addr size file"
/^ [.A-Z][^ ]*$/ { pending = $1; next }
/^ [.A-Z][^ ]* +0x[0-9a-fA-F]+ +0x[0-9a-fA-F]+ / { hold($1, $2, $3, $4); pending = ""; next }
/^ +0x[0-9a-fA-F]+ +0x[0-9a-fA-F]+ / { if (pending != "") hold(pending, $1, $2, $3); pending = ""; next }
# where the next thing starts: a fill, an output section, an assignment
/^ \*fill\* +0x[0-9a-fA-F]+/ { flush(hex($2)); pending = ""; next }
/^[.A-Za-z][^ ]* +0x[0-9a-fA-F]+/ { flush(hex($2)); pending = ""; next }
/^ +0x[0-9a-fA-F]+ +\. = / { flush(hex($1)); pending = ""; next }
{ pending = "" }

END { flush(-1); printf "%d %d %d %d\n", code, rodata, data, bss }
