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

	"github.com/perushtitsa/council/server/council"
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
		return council.FieldError(council.CodeValidation, "Text must be valid UTF-8.",
			invalidUTF8Field(body, dst), council.FieldInvalid, "must be valid UTF-8")
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
		return council.FieldError(council.CodeValidation, "A field has the wrong type.",
			field, council.FieldInvalid, "must be "+describeType(typeErr.Type.String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return council.Errorf(council.CodeBadRequest, "The body is not valid JSON.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return council.Errorf(council.CodeBadRequest, "Unknown field %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	// A value its type refuses (a time that is not RFC 3339, a number for a time): name the field.
	if field := refusedField(body, dst); field != "" {
		return council.FieldError(council.CodeValidation, "A field has the wrong type or format.",
			field, council.FieldInvalid, "has the wrong type or format")
	}
	return council.Errorf(council.CodeBadRequest, "The body could not be read: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

// refusedField names the field whose value alone does not decode into dst's type.
func refusedField(body []byte, dst any) string {
	t := reflect.TypeOf(dst)
	if t.Kind() != reflect.Pointer {
		return ""
	}
	for _, m := range members(body) {
		one, err := json.Marshal(map[string]json.RawMessage{m.key: m.value})
		if err == nil && json.Unmarshal(one, reflect.New(t.Elem()).Interface()) != nil {
			return jsonField(dst, m.key)
		}
	}
	return ""
}

// member is one key and its raw value in a JSON object.
type member struct {
	key   string
	value json.RawMessage
}

// members lists the top-level members of the JSON object in body, in order, as far as it reads.
func members(body []byte) []member {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		key, ok := tok.(string)
		var value json.RawMessage
		if err != nil || !ok || dec.Decode(&value) != nil {
			break
		}
		out = append(out, member{key, value})
	}
	return out
}

// jsonField is the name of dst's field that a body's key fills: the key itself, or the field
// encoding/json matched it to regardless of case, so that an error names the field the API
// documents rather than whatever spelling or escapes the client used.
func jsonField(dst any, key string) string {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return key
	}
	folded := ""
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		switch {
		case name == key:
			return name
		case folded == "" && strings.EqualFold(name, key):
			folded = name
		}
	}
	if folded != "" {
		return folded
	}
	return key
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

// invalidUTF8Field names the field whose value holds text that is not UTF-8.
func invalidUTF8Field(body []byte, dst any) string {
	for _, m := range members(body) {
		if !utf8.Valid(m.value) {
			return jsonField(dst, m.key)
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

// pageParam reads the page of a list (?page=, from 1, council.PageSize items a page; 1 when
// absent); anything but a whole number from 1 to council.MaxPage is 400 bad_request.
func pageParam(c *fiber.Ctx) (int, error) {
	page, err := queryInt(c, "page", 1)
	if err != nil {
		return 0, err
	}
	if page < 1 || page > council.MaxPage {
		return 0, council.Errorf(council.CodeBadRequest, "page must be a whole number from 1 to %d.", council.MaxPage)
	}
	return int(page), nil
}
