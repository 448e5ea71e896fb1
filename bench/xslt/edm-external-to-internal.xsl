<?xml version="1.0" encoding="UTF-8"?>
<!-- Benchmark stylesheet (ours, XSLT 2.0): a compact EDM external → internal mapping, run by SaxonJS
     and by Saxon-HE Java as the "provider XSLT" workload and as the XSLT stand-in for Metis's default
     transformation in the Java reference chain. Input must be sorted (as after external validation). -->
<xsl:stylesheet version="2.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:f="urn:bench:functions"
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:dcterms="http://purl.org/dc/terms/"
  xmlns:edm="http://www.europeana.eu/schemas/edm/"
  xmlns:ore="http://www.openarchives.org/ore/terms/"
  xmlns:owl="http://www.w3.org/2002/07/owl#"
  xmlns:skos="http://www.w3.org/2004/02/skos/core#"
  exclude-result-prefixes="xs f">
  <xsl:output method="xml" indent="yes"/>
  <xsl:param name="datasetName" as="xs:string" select="'0_bench'"/>
  <xsl:param name="edmCountry" as="xs:string" select="'Italy'"/>
  <xsl:param name="edmLanguage" as="xs:string" select="'it'"/>
  <xsl:param name="datasetId" as="xs:string" select="'0'"/>

  <!-- The Europeana id rule: drop http://host/, then [^a-zA-Z0-9_] → _. -->
  <xsl:function name="f:id" as="xs:string">
    <xsl:param name="about" as="xs:string"/>
    <xsl:sequence select="concat('/', $datasetId, '/', replace(replace($about, '^http://[^/]*/', ''), '[^a-zA-Z0-9_]', '_'))"/>
  </xsl:function>

  <xsl:variable name="id" select="f:id(string(/rdf:RDF/edm:ProvidedCHO[1]/@rdf:about))"/>

  <xsl:template match="/rdf:RDF">
    <rdf:RDF>
      <edm:ProvidedCHO rdf:about="{$id}"/>
      <xsl:apply-templates select="edm:WebResource|edm:Agent|edm:Place|edm:TimeSpan|skos:Concept" mode="class"/>
      <xsl:for-each select="ore:Aggregation">
        <ore:Aggregation rdf:about="/aggregation/provider{$id}">
          <edm:aggregatedCHO rdf:resource="{$id}"/>
          <xsl:apply-templates select="* except edm:aggregatedCHO" mode="prop"/>
        </ore:Aggregation>
      </xsl:for-each>
      <xsl:for-each select="edm:ProvidedCHO">
        <ore:Proxy rdf:about="/proxy/provider{$id}">
          <xsl:apply-templates select="* except (edm:type, owl:sameAs, edm:pid)" mode="prop"/>
          <edm:europeanaProxy>false</edm:europeanaProxy>
          <ore:proxyFor rdf:resource="{$id}"/>
          <ore:proxyIn rdf:resource="/aggregation/provider{$id}"/>
          <xsl:apply-templates select="edm:type, owl:sameAs" mode="prop"/>
        </ore:Proxy>
        <ore:Proxy rdf:about="/proxy/europeana{$id}">
          <dc:identifier><xsl:value-of select="@rdf:about"/></dc:identifier>
          <edm:europeanaProxy>true</edm:europeanaProxy>
          <ore:proxyFor rdf:resource="{$id}"/>
          <ore:proxyIn rdf:resource="/aggregation/europeana{$id}"/>
          <ore:lineage rdf:resource="/proxy/provider{$id}"/>
        </ore:Proxy>
      </xsl:for-each>
      <edm:EuropeanaAggregation rdf:about="/aggregation/europeana{$id}">
        <edm:aggregatedCHO rdf:resource="{$id}"/>
        <edm:dataProvider xml:lang="en">Europeana Foundation</edm:dataProvider>
        <edm:provider xml:lang="en">Europeana Foundation</edm:provider>
        <edm:datasetName><xsl:value-of select="$datasetName"/></edm:datasetName>
        <edm:country><xsl:value-of select="$edmCountry"/></edm:country>
        <edm:language><xsl:value-of select="$edmLanguage"/></edm:language>
      </edm:EuropeanaAggregation>
    </rdf:RDF>
  </xsl:template>

  <xsl:template match="*" mode="class">
    <xsl:element name="{name()}" namespace="{namespace-uri()}">
      <xsl:copy-of select="@*"/>
      <xsl:apply-templates select="*" mode="prop"/>
    </xsl:element>
  </xsl:template>

  <xsl:template match="*" mode="prop">
    <xsl:element name="{name()}" namespace="{namespace-uri()}">
      <xsl:copy-of select="@rdf:resource | @xml:lang | @rdf:datatype"/>
      <xsl:apply-templates mode="prop"/>
    </xsl:element>
  </xsl:template>
</xsl:stylesheet>
