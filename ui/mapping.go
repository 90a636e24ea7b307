package ui

import (
	"errors"
	"net/http"
	"os"
	"strings"

	"github.com/sbimport/sbimport/explain"
	"github.com/sbimport/sbimport/mapping"
	"github.com/sbimport/sbimport/salesbyte"
)

type endpointInfo struct {
	Name     string      `json:"name"`
	Sentence string      `json:"sentence"`
	Fields   []fieldInfo `json:"fields"`
}

type fieldInfo struct {
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Required bool     `json:"required"`
	Doc      string   `json:"doc"`
	Choices  []string `json:"choices,omitempty"`
}

// asTypes are the values of `as:`, for the page's type dropdown.
var asTypes = []string{"text", "int", "number", "bool", "date", "phone", "email", "list"}

// handleFields lists each endpoint with its sentence and its fields.
func (s *Server) handleFields(w http.ResponseWriter, r *http.Request) {
	var out []endpointInfo
	for _, e := range []salesbyte.Endpoint{salesbyte.Lead, salesbyte.Quote, salesbyte.Template} {
		ei := endpointInfo{Name: string(e), Sentence: explain.Endpoint(e)}
		for _, f := range mapping.DraftFields(e) {
			fi := fieldInfo{Name: f.Name, Kind: f.Kind.String(), Required: f.Required, Doc: f.Doc}
			switch {
			case f.Kind == salesbyte.KindBool:
				fi.Choices = []string{"true", "false"}
			case f.Name == "send_type" && e == salesbyte.Quote:
				fi.Choices = salesbyte.QuoteSendTypes
			}
			ei.Fields = append(ei.Fields, fi)
		}
		out = append(out, ei)
	}
	writeJSON(w, http.StatusOK, map[string]any{"endpoints": out, "types": asTypes})
}

// handleAuto matches the sheet's columns to an endpoint's fields with the
// same matcher as `sbimport init`.
func (s *Server) handleAuto(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Endpoint string `json:"endpoint"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	e, err := salesbyte.ParseEndpoint(req.Endpoint)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ls := s.currentSheet()
	if ls == nil {
		writeError(w, http.StatusConflict, "Choose a sheet first.")
		return
	}
	d, _, err := mapping.DraftFromYAML(mapping.Starter(ls.header, e))
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	for name, f := range d.Fields {
		// The starter's placeholders are for a file to edit; the page
		// leaves the box empty and says what is missing instead.
		if strings.HasPrefix(f.Value, "TODO") || (f.Value == "0" && strings.HasSuffix(name, "_id")) {
			delete(d.Fields, name)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"draft": d})
}

// handleLoadMapping reads an existing mapping file into the form, or, when
// it holds more than the form can show, hands its text to the YAML editor.
func (s *Server) handleLoadMapping(w http.ResponseWriter, r *http.Request) {
	path, _, err := s.receiveFile(w, r, "mapping")
	if err != nil {
		uploadError(w, err, s.opts.MaxUpload)
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	d, simple, err := mapping.DraftFromYAML(data)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "This is not a mapping file (YAML): "+s.inside(err.Error()))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"draft": d, "simple": simple, "yaml": string(data)})
}

// mappingRequest is the page's mapping: the form's draft, or YAML text
// when the mapping needs more than the form holds.
type mappingRequest struct {
	Draft *mapping.Draft `json:"draft,omitempty"`
	YAML  string         `json:"yaml,omitempty"`
}

func (m mappingRequest) bytes() []byte {
	if m.Draft != nil {
		return m.Draft.YAML()
	}
	return []byte(m.YAML)
}

// compile parses and compiles the mapping against the sheet's header; the
// problems are the command line's own words, one per entry.
func (s *Server) compile(ls *loadedSheet, data []byte) (*mapping.Mapper, []string) {
	spec, err := mapping.Parse("mapping.yaml", data)
	if err == nil {
		var m *mapping.Mapper
		if m, err = spec.Compile(ls.header); err == nil {
			return m, nil
		}
	}
	var me *mapping.Error
	if errors.As(err, &me) {
		return nil, me.Problems
	}
	return nil, []string{s.inside(err.Error())}
}

func (s *Server) currentSheet() *loadedSheet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.sheet
}
