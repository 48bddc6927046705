module example.com/zapx-merge

go 1.20

require (
	github.com/RoaringBitmap/roaring v0.0.0
	github.com/blevesearch/scorch_segment_api/v2 v2.0.0
)

replace (
	github.com/RoaringBitmap/roaring => ./stub/roaring
	github.com/blevesearch/scorch_segment_api/v2 => ./stub/segapi
)
