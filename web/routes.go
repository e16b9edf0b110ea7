package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/amends/amends/web/auth"
)

// routes is the whole URL map of the server.
func (s *Server) routes() {
	e := s.echo
	e.Use(
		middleware.RequestID(),
		s.requestLog(),
		middleware.Recover(),
		s.metrics.middleware,
		s.securityHeaders(),
	)
	gzip := middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1024})
	get := []string{http.MethodGet, http.MethodHead}

	// Public: no login, served from the page cache.
	e.Match(get, "/", s.handleStatus)
	e.Match(get, "/incidents/:id", s.handleIncident)
	e.Match(get, "/history", s.handleHistory)
	e.GET("/healthz", s.handleHealth)
	e.GET("/metrics", s.handleMetrics(), gzip)
	e.Match(get, "/static/*", s.handleStatic(), gzip)

	// Browser pages with sessions and CSRF tokens.
	limit := middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(float64(s.cfg.LoginRate) / 60), Burst: s.cfg.LoginRate, ExpiresIn: 10 * time.Minute,
		}),
		DenyHandler: s.tooManyAttempts,
	})
	b := e.Group("", middleware.BodyLimit("1M"), s.csrf, s.session)
	b.GET("/login", s.handleLoginForm)
	b.POST("/login", s.handleLogin, limit)
	b.POST("/logout", s.handleLogout)
	b.GET("/setup", s.handleSetupForm)
	b.POST("/setup", s.handleSetup, limit)

	support, admin := role(auth.Support), role(auth.Admin)
	a := b.Group("/admin", s.signedIn)
	a.GET("", s.handleAdminHome)
	a.GET("/incidents", s.handleAdminIncidents)
	a.GET("/incidents/new", s.handleNewIncident, support)
	a.POST("/incidents", s.handleCreateIncident, support)
	a.GET("/incidents/:id", s.handleAdminIncident)
	a.POST("/incidents/:id/updates", s.handlePostUpdate, support)
	a.GET("/maintenance", s.handleMaintenance)
	a.POST("/maintenance", s.handleScheduleMaintenance, support)
	a.POST("/maintenance/:id/advance", s.handleAdvanceMaintenance, support)
	a.GET("/services", s.handleServices)
	a.POST("/services", s.handleCreateService, admin)
	a.POST("/components", s.handleCreateComponent, admin)
	a.GET("/users", s.handleUsers, admin)
	a.POST("/users", s.handleCreateUser, admin)
	a.POST("/users/:id/role", s.handleSetRole, admin)
	a.POST("/users/:id/disabled", s.handleSetDisabled, admin)
	a.POST("/tokens", s.handleCreateToken, admin)
	a.POST("/tokens/:id/revoke", s.handleRevokeToken, admin)

	// The JSON API, with bearer tokens.
	api := e.Group("/api/v1", s.bearer, gzip)
	api.GET("/status", s.apiStatus)
	api.GET("/services", s.apiListServices)
	api.POST("/services", s.apiCreateService, admin)
	api.PUT("/services/:id", s.apiUpdateService, admin)
	api.GET("/components", s.apiListComponents)
	api.POST("/components", s.apiCreateComponent, admin)
	api.PUT("/components/:id", s.apiUpdateComponent, admin)
	api.GET("/incidents", s.apiListIncidents)
	api.POST("/incidents", s.apiCreateIncident, support)
	api.GET("/incidents/:id", s.apiGetIncident)
	api.POST("/incidents/:id/updates", s.apiPostUpdate, support)
	api.GET("/maintenance", s.apiListMaintenance)
	api.POST("/maintenance", s.apiScheduleMaintenance, support)
	api.GET("/maintenance/:id", s.apiGetMaintenance)
	api.POST("/maintenance/:id/advance", s.apiAdvanceMaintenance, support)
	api.POST("/sla/evaluate", s.apiEvaluateSLA)
}
