module example.com/olric

go 1.15

require github.com/hashicorp/memberlist v0.0.0

replace github.com/hashicorp/memberlist => ./stub/memberlist
