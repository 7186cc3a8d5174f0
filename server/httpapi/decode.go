package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"council/server/council"
)

// decode reads a JSON body strictly: malformed JSON, trailing data or an unknown field is a
// bad_request; a value of the wrong type or text that is not UTF-8 is a validation error
// that names the field.
func decode(c *fiber.Ctx, dst any) error {
	body := c.Body()
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return council.Errorf(council.CodeBadRequest, "The request needs a JSON object as its body.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, body, dst)
	}
	if _, err := dec.Token(); err != io.EOF {
		return council.Errorf(council.CodeBadRequest, "The body must hold exactly one JSON object.")
	}
	if !utf8.Valid(body) {
		return &council.Error{Code: council.CodeValidation, Message: "Text must be valid UTF-8.",
			Fields: map[string]string{invalidUTF8Field(body): "must be valid UTF-8"}}
	}
	return nil
}

func decodeError(err error, body []byte, dst any) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return council.Errorf(council.CodeBadRequest, "The body must be a JSON object.")
		}
		return &council.Error{Code: council.CodeValidation, Message: "A field has the wrong type.",
			Fields: map[string]string{field: "must be " + describeType(typeErr.Type.String())}}
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return council.Errorf(council.CodeBadRequest, "The body is not valid JSON.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return council.Errorf(council.CodeBadRequest, "Unknown field %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	// A value its type refuses (a time that is not RFC 3339, a number for a time): name the field.
	if field := refusedField(body, dst); field != "" {
		return &council.Error{Code: council.CodeValidation, Message: "A field has the wrong type or format.",
			Fields: map[string]string{field: "has the wrong type or format"}}
	}
	return council.Errorf(council.CodeBadRequest, "The body could not be read: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

// refusedField finds the top-level key whose value alone does not decode into dst's type.
func refusedField(body []byte, dst any) string {
	var raw map[string]json.RawMessage
	t := reflect.TypeOf(dst)
	if json.Unmarshal(body, &raw) != nil || t.Kind() != reflect.Pointer {
		return ""
	}
	for k, v := range raw {
		one, err := json.Marshal(map[string]json.RawMessage{k: v})
		if err == nil && json.Unmarshal(one, reflect.New(t.Elem()).Interface()) != nil {
			return k
		}
	}
	return ""
}

func describeType(t string) string {
	switch {
	case strings.Contains(t, "int"):
		return "a whole number"
	case strings.Contains(t, "string"):
		return "a string"
	case strings.Contains(t, "bool"):
		return "true or false"
	case strings.Contains(t, "Time"):
		return "an RFC 3339 time"
	}
	return "of another type"
}

// invalidUTF8Field names the JSON key whose string value holds the first invalid byte.
func invalidUTF8Field(body []byte) string {
	i := 0
	for i < len(body) {
		r, size := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	before := string(body[:i])
	// The key is the last quoted string followed by a colon before the bad byte.
	if k := strings.LastIndex(before, "\":"); k > 0 {
		if j := strings.LastIndex(before[:k], "\""); j >= 0 {
			return before[j+1 : k]
		}
	}
	return "body"
}

// pathID reads a numeric id from the path; anything else names nothing that exists.
func pathID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, council.Errorf(council.CodeNotFound, "No such %s.", strings.TrimSuffix(name, "_id"))
	}
	return id, nil
}

// queryInt reads an optional non-negative integer query parameter.
func queryInt(c *fiber.Ctx, name string, def int64) (int64, error) {
	raw := c.Query(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, council.Errorf(council.CodeBadRequest, "%s must be a non-negative whole number.", name)
	}
	return n, nil
}
