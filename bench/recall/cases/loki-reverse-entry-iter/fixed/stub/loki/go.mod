module github.com/grafana/loki

go 1.17
