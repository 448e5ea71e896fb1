<?xml version="1.0" encoding="UTF-8"?>
<!-- Ours (test data): a stand-in for a newer schematron.xsl in a schema zip. It writes SVRL as
     Metis's compiled Schematron does: one svrl:active-pattern per pattern, then its failed asserts. -->
<xsl:stylesheet version="2.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:svrl="http://purl.oclc.org/dsdl/svrl"
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:edm="http://www.europeana.eu/schemas/edm/">
  <xsl:template match="/">
    <svrl:schematron-output title="test rules">
      <svrl:active-pattern/>
      <xsl:apply-templates select="//edm:ProvidedCHO" mode="P1"/>
      <svrl:active-pattern/>
      <xsl:apply-templates select="//edm:ProvidedCHO" mode="P2"/>
    </svrl:schematron-output>
  </xsl:template>
  <xsl:template match="edm:ProvidedCHO" mode="P1">
    <xsl:if test="count(dc:title) &gt; 3">
      <svrl:failed-assert test="count(dc:title) &lt;= 3"><svrl:text>
        Too many titles.
      </svrl:text></svrl:failed-assert>
    </xsl:if>
  </xsl:template>
  <xsl:template match="edm:ProvidedCHO" mode="P2">
    <xsl:if test="not(dc:publisher)">
      <svrl:failed-assert test="dc:publisher" nodeId="{@rdf:about}"><svrl:text>
        A ProvidedCHO must have a dc:publisher
        (a rule newer than the ported ones).
      </svrl:text></svrl:failed-assert>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
