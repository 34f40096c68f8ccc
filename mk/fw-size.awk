# What the given archive members contribute to a linked image, from its GNU
# ld map file (-Wl,-Map): only the input sections kept after --gc-sections.
#
#   awk -v members="object panic sched status" -f mk/fw-size.awk image.map
#
# Prints "<code> <rodata> <data> <bss>" in bytes.

function hex(s,    v, i, c) {
    v = 0
    s = tolower(substr(s, 3))
    for (i = 1; i <= length(s); i++) {
        c = index("0123456789abcdef", substr(s, i, 1)) - 1
        v = v * 16 + c
    }
    return v
}

function add(sec, size, file,    member) {
    if (!match(file, /\([^)]*\)$/))
        return
    member = substr(file, RSTART + 1, RLENGTH - 2)
    if (!(member in want))
        return
    if (sec ~ /^\.text/)
        code += hex(size)
    else if (sec ~ /^\.rodata/)
        rodata += hex(size)
    else if (sec ~ /^\.data/)
        data += hex(size)
    else if (sec ~ /^\.bss/ || sec == "COMMON")
        bss += hex(size)
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
/^ [.A-Z][^ ]* +0x[0-9a-fA-F]+ +0x[0-9a-fA-F]+ / { add($1, $3, $4); pending = ""; next }
/^ +0x[0-9a-fA-F]+ +0x[0-9a-fA-F]+ / { if (pending != "") add(pending, $2, $3); pending = ""; next }
{ pending = "" }

END { printf "%d %d %d %d\n", code, rodata, data, bss }
