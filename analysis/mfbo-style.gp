# mfbo-style.gp: the look of every figure mfbo-analyze draws (gnuplot 5.4).
# mfbo-analyze compiles this file in and copies it to the top of each figure's script, so
# that every script stays self-contained: edit this file and rebuild to restyle all
# figures, or edit the copy in one script (then `gnuplot that.gp`) to restyle one.
# The terminal (pngcairo/svg/pdfcairo, size, font) is set by mfbo-analyze after this.

set encoding utf8
set border 3 lw 1 lc rgb '#404040'
set tics nomirror out scale 0.7 textcolor rgb '#202020'
set grid xtics ytics lw 1 lc rgb '#e4e4e4' dt 1
set key outside right top vertical Left reverse samplen 2.5 spacing 1.25 width 1
set key noautotitle nobox
set style fill transparent solid 0.25 noborder
set title offset 0,-0.3

# One colour per algorithm, in job order: the Okabe-Ito palette (distinguishable with the
# common colour-vision deficiencies), then two darker tones.
set linetype 1 lc rgb '#0072B2' lw 2.5 pt 7 ps 0.7 dt solid
set linetype 2 lc rgb '#D55E00' lw 2.5 pt 7 ps 0.7 dt solid
set linetype 3 lc rgb '#009E73' lw 2.5 pt 7 ps 0.7 dt solid
set linetype 4 lc rgb '#CC79A7' lw 2.5 pt 7 ps 0.7 dt solid
set linetype 5 lc rgb '#E69F00' lw 2.5 pt 7 ps 0.7 dt solid
set linetype 6 lc rgb '#56B4E9' lw 2.5 pt 7 ps 0.7 dt solid
set linetype 7 lc rgb '#404040' lw 2.5 pt 7 ps 0.7 dt solid
set linetype 8 lc rgb '#8C564B' lw 2.5 pt 7 ps 0.7 dt solid
set linetype cycle 8

# Reference lines (the optimum, targets) and the annotations of the key.
REFERENCE = '#404040'
