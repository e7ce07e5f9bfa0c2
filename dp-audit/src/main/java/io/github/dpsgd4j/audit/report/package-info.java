/**
 * Audit reports: a JSON document, PNG pictures (ROC curves on log-log axes with XChart,
 * reconstruction grids with java.awt, a privacy-utility chart) and an HTML page that ties them
 * together.
 */
package io.github.dpsgd4j.audit.report;
