module github.com/RoaringBitmap/roaring

go 1.20
