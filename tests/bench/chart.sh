# The chart of ratios (sourced by tests/bench/run.sh; not a metric).
#
# The metrics record their medians with `chart KEY SYSTEM VALUE` (lib.sh)
# into WORK/chart.dat; make_chart turns them into an SVG with gnuplot: per
# metric, one bar per other system, its figure over tend's (tend's over its
# for requests/s), so that above 1 tend does better and below 1 worse; log
# scale, the bars drawn from 1. VALUE "na": the system cannot do it (shown
# as n/a); ">N": it did not finish within the bound N (shown as ≥ the ratio
# to N). Every bar is from the run that writes the chart.

# The metrics on the chart, in order: KEY|label|unit of tend's figure|better
CHART_KEYS=(
	"uss|idle memory\\n(USS)|KiB|lower"
	"start|start\\n(exec → running)|us|lower"
	"stop|stop\\n(TERM → gone)|us|lower"
	"restart|restart\\nafter a crash|us|lower"
	"orphans|10 000 orphans\\nat once (all reaped)|us|lower"
	"http|HTTP\\nrequests/s|rps|higher"
)
CHART_SYSTEMS=(tini dumb-init catatonit supervisord s6 runit nginx)
CHART_COLORS=("#4e79a7" "#f28e2b" "#e15759" "#76b7b2" "#59a14f" "#c9a227" "#b07aa1")

# chart_fmt VALUE UNIT: tend's figure under the metric's name.
chart_fmt() {
	case $2 in
	KiB) echo "$1 KiB" ;;
	us) fmt_us "$1" | sed 's/ us$/ µs/' ;;
	rps) awk -v v="$1" 'BEGIN { printf "%.0f/s\n", v }' ;;
	*) echo "$1" ;;
	esac
}

# make_chart DATA OUT: writes the SVG OUT from DATA; prints a sentence that
# says how to read it (for the report).
make_chart() {
	local data=$1 out=$2 dir
	dir=$(dirname "$out")
	local -A val=()
	local k s v
	while read -r k s v; do val[$k/$s]=$v; done <"$data"

	local nk=${#CHART_KEYS[@]} ns=${#CHART_SYSTEMS[@]} i j key label unit better t xtics="" lo=1 hi=1
	local w
	w=$(awk -v n="$ns" 'BEGIN { printf "%.4f", 0.84 / n }')
	rm -f "$dir"/chart-bars.*.dat "$dir/chart-up.dat" "$dir/chart-down.dat" "$dir/chart-na.dat"
	for ((j = 0; j < ns; j++)); do
		s=${CHART_SYSTEMS[j]}
		for ((i = 0; i < nk; i++)); do
			IFS='|' read -r key label unit better <<<"${CHART_KEYS[i]}"
			t=${val[$key/tend]:-}
			v=${val[$key/$s]:-}
			[ -n "$v" ] && [ -n "$t" ] && [ "$t" != na ] || continue
			local x
			x=$(awk -v i="$i" -v j="$j" -v n="$ns" -v w="$w" 'BEGIN { printf "%.4f", i + (j - (n - 1) / 2) * w }')
			if [ "$v" = na ]; then
				echo "$x 1 n/a" >>"$dir/chart-na.dat"
				continue
			fi
			# ratio, and its label: ≥ when the system hit the bound
			awk -v dir="$dir" -v x="$x" -v w="$w" -v j="$j" -v t="$t" -v v="$v" -v b="$better" 'BEGIN {
				ge = (substr(v, 1, 1) == ">"); if (ge) v = substr(v, 2)
				if (t <= 0 || v <= 0) exit
				r = (b == "higher") ? t / v : v / t
				if (r >= 10) l = sprintf("%.0f", r); else if (r >= 1) l = sprintf("%.1f", r); else l = sprintf("%.2f", r)
				l = (ge ? "≥" : "") l "×"
				printf "%s %.6g %s %s 1 %.6g\n", x, r, x - w / 2, x + w / 2, r >>(dir "/chart-bars." j ".dat")
				# labels apart (gnuplot 5.4 crashes on a labels plot without a point)
				if (r >= 1) printf "%s %.6g %s\n", x, r * 1.12, l >>(dir "/chart-up.dat")
				else printf "%s %.6g %s\n", x, r / 1.12, l >>(dir "/chart-down.dat")
			}'
		done
		[ -f "$dir/chart-bars.$j.dat" ] || echo "# none" >"$dir/chart-bars.$j.dat"
	done
	for ((i = 0; i < nk; i++)); do
		IFS='|' read -r key label unit better <<<"${CHART_KEYS[i]}"
		t=${val[$key/tend]:-}
		if [ -n "$t" ] && [ "$t" != na ]; then
			t=$(chart_fmt "$t" "$unit")
		else
			t="not measured"
		fi
		xtics+="${xtics:+, }\"$label\\ntend: $t\" $i"
	done
	read -r lo hi < <(cat "$dir"/chart-bars.*.dat | awk '$1 !~ /^#/ { if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 }
		END { if (min == "" || min > 1) min = 1; if (max < 1) max = 1; printf "%g %g\n", min / 4, max * 6 }')

	local plots="" labels=""
	for ((j = 0; j < ns; j++)); do
		plots+="${plots:+, }'$dir/chart-bars.$j.dat' using 1:2:3:4:5:6 with boxxyerror lc rgb '${CHART_COLORS[j]}' title '${CHART_SYSTEMS[j]}'"
	done
	[ -s "$dir/chart-up.dat" ] && labels+=", '$dir/chart-up.dat' using 1:2:3 with labels rotate by 90 left font ',9' notitle"
	[ -s "$dir/chart-down.dat" ] && labels+=", '$dir/chart-down.dat' using 1:2:3 with labels rotate by 90 right font ',9' notitle"
	[ -s "$dir/chart-na.dat" ] && labels+=", '$dir/chart-na.dat' using 1:(1.12):3 with labels rotate by 90 left font ',9' tc rgb '#777777' notitle"

	gnuplot >"$dir/chart.log" 2>&1 <<-EOF || { cat "$dir/chart.log" >&2; return 1; }
	set terminal svg size 1100,560 fixed noenhanced font "Helvetica,12" background rgb "white"
	set output "$out"
	set encoding utf8
	set title "tend next to the others: the other's figure ÷ tend's (tend's ÷ the other's for requests/s)\nabove 1: tend does better; medians of one run of make bench, $(date -u '+%Y-%m-%d')"
	set logscale y
	set yrange [$lo:$hi]
	set xrange [-0.55:$nk - 0.45]
	set xtics ($xtics) nomirror scale 0 font ",11"
	set ytics nomirror
	set format y "%g×"
	set grid ytics lc rgb "#dddddd"
	set border 3
	set key outside right top vertical Left reverse
	set style fill solid 0.9 border lc rgb "#333333"
	set arrow 1 from -0.55, 1 to $nk - 0.45, 1 nohead lw 1.5 lc rgb "black" front
	set bmargin 6
	plot $plots$labels
	EOF
	[ -s "$out" ] || return 1
	echo "per metric, one bar per system: its median over tend's median from this run (tend's over its for HTTP requests/s), on a log scale from 1 (= as good as tend); above 1, tend does better. tend's own figure is under each metric's name. \"n/a\": the system does not do it; \"≥\": it had not finished when the measurement's bound ran out; no bar: not in that comparison (nginx is only a reference for HTTP). HTTP: supervisord is its XML-RPC getAllProcessInfo, nginx is \`return 200\`."
}
