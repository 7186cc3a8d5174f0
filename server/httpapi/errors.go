package httpapi

import (
	"errors"
	"math"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/perushtitsa/council/server/council"
)

// apiError is the body of every non-2xx JSON answer.
type apiError struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// FieldCodes says, per field, what is wrong in a word the pages translate.
	FieldCodes map[string]string `json:"field_codes,omitempty"`
	// Reason says, for a conflict, what the request conflicts with, in a word pages translate.
	Reason    string `json:"reason,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// unavailableMessage answers a request the database did not answer in time; clients may
// send it again after unavailableRetryAfter seconds.
const (
	unavailableMessage    = "The database does not answer; try again shortly."
	unavailableRetryAfter = 5
)

var statusOf = map[string]int{
	council.CodeBadRequest:      fiber.StatusBadRequest,
	council.CodeValidation:      fiber.StatusUnprocessableEntity,
	council.CodeUnauthenticated: fiber.StatusUnauthorized,
	council.CodeForbidden:       fiber.StatusForbidden,
	council.CodeNotFound:        fiber.StatusNotFound,
	council.CodeConflict:        fiber.StatusConflict,
	council.CodeRoundNotOpen:    fiber.StatusConflict,
	council.CodeRoundClosed:     fiber.StatusConflict,
	council.CodeTooLarge:        fiber.StatusRequestEntityTooLarge,
	council.CodeRateLimited:     fiber.StatusTooManyRequests,
	council.CodeUnavailable:     fiber.StatusServiceUnavailable,
}

var codeOfStatus = map[int]string{
	fiber.StatusBadRequest:            council.CodeBadRequest,
	fiber.StatusUnauthorized:          council.CodeUnauthenticated,
	fiber.StatusForbidden:             council.CodeForbidden,
	fiber.StatusNotFound:              council.CodeNotFound,
	fiber.StatusMethodNotAllowed:      council.CodeNotFound,
	fiber.StatusConflict:              council.CodeConflict,
	fiber.StatusRequestEntityTooLarge: council.CodeTooLarge,
	fiber.StatusUnprocessableEntity:   council.CodeValidation,
	fiber.StatusTooManyRequests:       council.CodeRateLimited,
	fiber.StatusServiceUnavailable:    council.CodeUnavailable,
}

// handleError is the one place where errors become answers: domain errors keep their code
// and message, a database that does not answer is 503 unavailable with Retry-After, Fiber's
// own errors map to the contract's codes, and anything else is logged with the request id
// and answered as a bare 500 that reveals nothing.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	body, status := s.errorBody(c, err)
	if isPage(c) && status != fiber.StatusTooManyRequests {
		return s.renderErrorPage(c, status, err)
	}
	return c.Status(status).JSON(body)
}

func (s *Server) errorBody(c *fiber.Ctx, err error) (apiError, int) {
	var ce *council.Error
	var fe *fiber.Error
	var rl *council.RateLimited
	switch {
	case errors.As(err, &ce):
		return apiError{Error: ce.Code, Message: ce.Message, Fields: ce.Fields, FieldCodes: ce.FieldCodes, Reason: ce.Reason}, statusOf[ce.Code]
	case errors.As(err, &fe) && fe.Code == fiber.StatusBadGateway && requestID(c) == "":
		// The client's connection failed before a request was read (it reset, or broke off):
		// nobody hears the answer, and a flood of them must not fill the log with errors.
		s.log.Debug("client connection failed before a request", "err", err)
		return apiError{Error: council.CodeBadRequest, Message: "The request could not be read."}, fiber.StatusBadRequest
	case errors.As(err, &rl):
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(rl.RetryAfter.Seconds()))))
		msg := rl.Message
		if msg == "" {
			msg = "Too many requests; try again later."
		}
		return apiError{Error: council.CodeRateLimited, Message: msg}, fiber.StatusTooManyRequests
	case council.Unavailable(err):
		s.log.Warn("database unavailable", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(unavailableRetryAfter))
		return apiError{Error: council.CodeUnavailable, Message: unavailableMessage, RequestID: requestID(c)}, fiber.StatusServiceUnavailable
	case errors.As(err, &fe):
		if code, ok := codeOfStatus[fe.Code]; ok {
			msg := fe.Message
			if fe.Code == fiber.StatusRequestEntityTooLarge {
				msg = "The request body is larger than 64 KiB."
			}
			return apiError{Error: code, Message: msg}, fe.Code
		}
		if fe.Code < 500 {
			return apiError{Error: council.CodeBadRequest, Message: fe.Message}, fiber.StatusBadRequest
		}
	}
	id := requestID(c)
	s.log.Error("request failed", "request_id", id, "method", c.Method(), "path", c.Path(), "err", err)
	return apiError{Error: "internal", Message: "Something went wrong on our side. Quote the request id when reporting it.", RequestID: id}, fiber.StatusInternalServerError
}
