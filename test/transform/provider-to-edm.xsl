<?xml version="1.0" encoding="UTF-8"?>
<!-- A small provider stylesheet (XSLT 2.0) for tests: maps a flat catalogue record to EDM external.
     Uses xsl:function, replace(), tokenize(), string-join() and typed parameters. -->
<xsl:stylesheet version="2.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:f="urn:test:functions"
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:edm="http://www.europeana.eu/schemas/edm/"
  xmlns:ore="http://www.openarchives.org/ore/terms/"
  exclude-result-prefixes="xs f">
  <xsl:output method="xml" indent="yes"/>
  <xsl:param name="provider" as="xs:string" select="'Unknown provider'"/>
  <xsl:param name="rightsUri" as="xs:string" select="'http://rightsstatements.org/vocab/InC/1.0/'"/>

  <!-- Collapse whitespace and strip a trailing period, as catalogue titles often carry one. -->
  <xsl:function name="f:clean" as="xs:string">
    <xsl:param name="s" as="xs:string"/>
    <xsl:sequence select="replace(normalize-space($s), '\.$', '')"/>
  </xsl:function>

  <xsl:template match="/record">
    <xsl:variable name="id" select="concat('urn:test:', replace(id, '[^A-Za-z0-9]', '-'))"/>
    <rdf:RDF>
      <edm:ProvidedCHO rdf:about="{$id}">
        <xsl:for-each select="tokenize(authors, ';')">
          <dc:creator><xsl:value-of select="f:clean(.)"/></dc:creator>
        </xsl:for-each>
        <dc:language><xsl:value-of select="lower-case(lang)"/></dc:language>
        <dc:subject><xsl:value-of select="string-join(for $k in keyword return upper-case($k), ', ')"/></dc:subject>
        <dc:title xml:lang="{lower-case(lang)}"><xsl:value-of select="f:clean(title)"/></dc:title>
        <edm:type>TEXT</edm:type>
      </edm:ProvidedCHO>
      <ore:Aggregation rdf:about="{concat($id, '#aggregation')}">
        <edm:aggregatedCHO rdf:resource="{$id}"/>
        <edm:dataProvider><xsl:value-of select="holder"/></edm:dataProvider>
        <edm:isShownAt rdf:resource="{url}"/>
        <edm:provider><xsl:value-of select="$provider"/></edm:provider>
        <edm:rights rdf:resource="{$rightsUri}"/>
      </ore:Aggregation>
    </rdf:RDF>
  </xsl:template>
</xsl:stylesheet>
