module example.com/loki-reverse-entry-iter

go 1.17

require github.com/grafana/loki v0.0.0

replace github.com/grafana/loki => ./stub/loki
