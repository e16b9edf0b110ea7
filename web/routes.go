package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
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
	e.Match(get, "/incidents/:id/explanation", s.handleExplanation)
	e.Match(get, "/incidents/:id/explanation/revisions/:n", s.handleExplanationRevision)
	e.Match(get, "/history", s.handleHistory)
	// Feeds, and the public API compatible with Atlassian Statuspage's v2
	// (readable from any origin), also from the page cache.
	e.Match(get, "/history.atom", s.handleHistoryAtom)
	e.Match(get, "/history.rss", s.handleHistoryRSS)
	v2 := []string{http.MethodGet, http.MethodHead, http.MethodOptions}
	e.Match(v2, "/api/v2/summary.json", s.handleStatuspageSummary, publicCORS)
	e.Match(v2, "/api/v2/status.json", s.handleStatuspageStatus, publicCORS)
	e.Match(v2, "/api/v2/components.json", s.handleStatuspageComponents, publicCORS)
	e.Match(v2, "/api/v2/incidents.json", s.handleStatuspageIncidents, publicCORS)
	e.Match(v2, "/api/v2/incidents/unresolved.json", s.handleStatuspageUnresolved, publicCORS)
	e.Match(v2, "/api/v2/scheduled-maintenances.json", s.handleStatuspageMaintenances, publicCORS)
	e.Match(v2, "/api/v2/scheduled-maintenances/upcoming.json", s.handleStatuspageUpcoming, publicCORS)
	e.Match(v2, "/api/v2/scheduled-maintenances/active.json", s.handleStatuspageActive, publicCORS)
	e.GET("/healthz", s.handleHealth)
	e.GET("/metrics", s.handleMetrics()) // promhttp compresses by itself
	e.Match(get, "/static/*", s.handleStatic(), gzip)

	// Browser pages with sessions and CSRF tokens.
	limit := middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(float64(s.cfg.LoginRate) / 60), Burst: s.cfg.LoginRate, ExpiresIn: 10 * time.Minute,
		}),
		DenyHandler: s.tooManyAttempts,
	})
	// Middleware goes on each route rather than on a "" group, which would
	// send every unmatched request through the CSRF and session checks.
	browser := []echo.MiddlewareFunc{middleware.BodyLimit("1M"), s.csrf, s.session}
	e.GET("/login", s.handleLoginForm, browser...)
	e.POST("/login", s.handleLogin, append(browser, limit)...)
	e.POST("/logout", s.handleLogout, browser...)
	e.GET("/setup", s.handleSetupForm, browser...)
	e.POST("/setup", s.handleSetup, append(browser, limit)...)

	support, admin := role(auth.Support), role(auth.Admin)
	a := e.Group("/admin", append(browser, s.signedIn)...)
	a.GET("", s.handleAdminHome)
	a.GET("/incidents", s.handleAdminIncidents)
	a.GET("/incidents/new", s.handleNewIncident, support)
	a.POST("/incidents", s.handleCreateIncident, support)
	a.GET("/incidents/:id", s.handleAdminIncident)
	a.POST("/incidents/:id/updates", s.handlePostUpdate, support)
	a.GET("/incidents/:id/explanation", s.handleAdminExplanation)
	a.POST("/incidents/:id/explanation", s.handleSaveExplanation, support)
	a.POST("/incidents/:id/explanation/publish", s.handlePublishExplanation, role(auth.Manager))
	a.POST("/incidents/:id/explanation/return", s.handleReturnExplanation, role(auth.Manager))
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
