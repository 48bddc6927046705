module github.com/blevesearch/scorch_segment_api/v2

go 1.20
