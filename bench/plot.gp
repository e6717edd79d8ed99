# Latency percentiles against offered load, chat 1:1 and raw broker, from
# chat-bench's latency-chat.tsv and latency-raw.tsv. Usage:
#   gnuplot -e "dir='bench/results/latest'" bench/plot.gp
set terminal pngcairo size 960,600 font ",11"
set output dir.'/latency.png'
set title 'Send-to-deliver latency vs offered load (open loop, loopback)'
set xlabel 'offered load (messages/s)'
set ylabel 'latency (ms, log scale)'
set logscale y
set grid ytics mytics xtics
set key top left
chat = dir.'/latency-chat.tsv'
raw = dir.'/latency-raw.tsv'
plot chat using 1:3 with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'chat p50', \
     chat using 1:5 with linespoints lw 2 pt 5 lc rgb '#d62728' title 'chat p99', \
     chat using 1:6 with linespoints lw 1 pt 9 lc rgb '#ff7f0e' title 'chat p99.9', \
     raw using 1:3 with linespoints lw 1 dt 2 pt 6 lc rgb '#1f77b4' title 'raw broker p50', \
     raw using 1:5 with linespoints lw 1 dt 2 pt 4 lc rgb '#d62728' title 'raw broker p99', \
     10 with lines lw 1 dt 3 lc rgb 'black' title 'target: chat p99 <= 10 ms'
