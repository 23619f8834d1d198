// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace sd {

class MetricsRegistry;

/// The two text formats `/metrics` speaks: Prometheus text 0.0.4 (the default) and OpenMetrics 1.0.0.
enum class ExpositionFormat : quint8 { PrometheusText, OpenMetrics };

/// OpenMetrics when the `Accept` header names application/openmetrics-text (with a non-zero q), else text.
ExpositionFormat negotiateExposition(QByteArrayView accept);
/// "text/plain; version=0.0.4; charset=utf-8" or "application/openmetrics-text; version=1.0.0; charset=utf-8".
QByteArray expositionContentType(ExpositionFormat format);

/// Renders every family of docs/METRICS.md from `registry`: pure, sorted by family and then by endpoint
/// name, so that a fixture can hold the exact text. `version` labels signaldeck_build_info.
QByteArray renderMetrics(const MetricsRegistry& registry, ExpositionFormat format, const QString& version);

/// A label value escaped for both formats: backslash, double quote and newline.
QByteArray escapeLabelValue(QStringView value);

} // namespace sd
