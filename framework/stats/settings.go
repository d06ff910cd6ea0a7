package stats

// Settings are the tracers of a client or a server and the level they record at, as the WithTracer
// and WithStatsLevel options of packages client and server set them. The zero value has no tracer.
type Settings struct {
	tracers  []Tracer
	level    Level
	levelSet bool
	ctl      *Controller // rebuilt whenever a setting changes; nil when nothing listens
}

// AddTracer adds a tracer; tracers start in the order added and finish in reverse.
func (s *Settings) AddTracer(t Tracer) {
	s.tracers = append(s.tracers, t)
	s.rebuild()
}

// SetLevel sets the level (LevelDetailed unless set, once a tracer is added).
func (s *Settings) SetLevel(l Level) {
	s.level, s.levelSet = l, true
	s.rebuild()
}

// Controller returns the controller that runs the tracers, nil when nothing listens.
func (s *Settings) Controller() *Controller { return s.ctl }

func (s *Settings) rebuild() {
	level := s.level
	if !s.levelSet {
		level = LevelDetailed
	}
	s.ctl = NewController(level, s.tracers...)
}
