package platform

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
)

// Spans are made for database statements and Redis commands only inside a traced call (a context
// holding a span), so start-up work such as migrations does not produce traces of its own.

const dbSpanKey = "tern:span"

// instrumentDB registers gorm callbacks that wrap every statement in a client span named
// "gorm.<operation>" with the database system, the statement (with placeholders, never values) and the
// rows affected.
func instrumentDB(db *gorm.DB, tracer trace.Tracer) error {
	cb := db.Callback()
	return errors.Join(
		cb.Create().Before("gorm:create").Register("tern:before_create", startDBSpan(tracer, "create")),
		cb.Create().After("gorm:create").Register("tern:after_create", endDBSpan),
		cb.Query().Before("gorm:query").Register("tern:before_query", startDBSpan(tracer, "query")),
		cb.Query().After("gorm:query").Register("tern:after_query", endDBSpan),
		cb.Update().Before("gorm:update").Register("tern:before_update", startDBSpan(tracer, "update")),
		cb.Update().After("gorm:update").Register("tern:after_update", endDBSpan),
		cb.Delete().Before("gorm:delete").Register("tern:before_delete", startDBSpan(tracer, "delete")),
		cb.Delete().After("gorm:delete").Register("tern:after_delete", endDBSpan),
		cb.Row().Before("gorm:row").Register("tern:before_row", startDBSpan(tracer, "row")),
		cb.Row().After("gorm:row").Register("tern:after_row", endDBSpan),
		cb.Raw().Before("gorm:raw").Register("tern:before_raw", startDBSpan(tracer, "raw")),
		cb.Raw().After("gorm:raw").Register("tern:after_raw", endDBSpan),
	)
}

// startDBSpan returns the callback that starts a statement's span.
func startDBSpan(tracer trace.Tracer, op string) func(*gorm.DB) {
	return func(db *gorm.DB) {
		ctx := db.Statement.Context
		if ctx == nil || !trace.SpanContextFromContext(ctx).IsValid() {
			return
		}
		_, span := tracer.Start(ctx, "gorm."+op, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system", db.Dialector.Name()), attribute.String("db.operation", op)))
		db.InstanceSet(dbSpanKey, span)
	}
}

// endDBSpan ends the statement's span, if it has one.
func endDBSpan(db *gorm.DB) {
	v, ok := db.InstanceGet(dbSpanKey)
	if !ok {
		return
	}
	span := v.(trace.Span)
	span.SetAttributes(attribute.String("db.statement", db.Statement.SQL.String()),
		attribute.Int64("db.rows_affected", db.Statement.RowsAffected))
	if err := db.Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// redisHook makes a client span of every Redis command and pipeline.
type redisHook struct {
	tracer trace.Tracer
	addr   string
}

// DialHook implements redis.Hook; dialling is not traced.
func (h redisHook) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (h redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !trace.SpanContextFromContext(ctx).IsValid() {
			return next(ctx, cmd)
		}
		ctx, span := h.start(ctx, "redis."+cmd.Name(), cmd.Name())
		err := next(ctx, cmd)
		h.end(span, err)
		return err
	}
}

// ProcessPipelineHook implements redis.Hook.
func (h redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !trace.SpanContextFromContext(ctx).IsValid() {
			return next(ctx, cmds)
		}
		ctx, span := h.start(ctx, "redis.pipeline", "pipeline")
		err := next(ctx, cmds)
		h.end(span, err)
		return err
	}
}

func (h redisHook) start(ctx context.Context, name, op string) (context.Context, trace.Span) {
	return h.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("db.system", "redis"), attribute.String("db.operation", op), attribute.String("server.address", h.addr)))
}

func (h redisHook) end(span trace.Span, err error) {
	if err != nil && !errors.Is(err, redis.Nil) {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
