package restful

// stubs (not from the project)

import (
	"net/http"
	"regexp"
)

type pathExpression struct{ Matcher *regexp.Regexp }
type Route struct {
	Method   string
	pathExpr *pathExpression
}
type Parameter struct{}
type Request struct{ Request *http.Request }
type Response struct{}
type FilterFunction func(*Request, *Response)
type RecoverHandleFunction func(interface{}, http.ResponseWriter)
type ServiceErrorHandleFunction func(error, *Request, *Response)
type RouteSelector interface{}
